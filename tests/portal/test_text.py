"""Vietnamese folding, splitting and sort keys (pure functions, no database)."""

import unicodedata

import pytest

from portal.text import fold, nfc, person_sort_key, search_terms, split_full_name, text_sort_key


def test_fold_removes_tones_and_shapes():
    assert fold("Nguyễn Anh Tuấn") == "nguyen anh tuan"


def test_fold_turns_d_with_stroke_into_d():
    assert fold("Đặng Văn Đức") == "dang van duc"


def test_fold_handles_decomposed_input_like_nfc():
    decomposed = unicodedata.normalize("NFD", "Trần Thị Ánh")
    assert fold(decomposed) == fold("Trần Thị Ánh") == "tran thi anh"


def test_nfc_composes_and_collapses_spaces():
    assert nfc(unicodedata.normalize("NFD", "  Lê   Văn  Ân ")) == "Lê Văn Ân"
    assert unicodedata.is_normalized("NFC", nfc(unicodedata.normalize("NFD", "Lê Văn Ân")))


def test_search_terms_cut_at_max_length_and_drop_empty_words():
    assert search_terms("  Nguyen   ANH ") == ["nguyen", "anh"]
    assert search_terms("x" * 500, max_length=10) == ["x" * 10]
    assert search_terms(None) == []


def test_search_terms_and_the_search_box_share_one_length_limit(settings):
    from portal import text

    assert text.SEARCH_MAX_LENGTH == 100
    assert search_terms("x" * 500) == ["x" * text.SEARCH_MAX_LENGTH]
    assert not hasattr(settings, "PORTAL_SEARCH_MAX_LENGTH")


def test_split_full_name_family_middle_given():
    assert split_full_name("Nguyễn Thị Minh Khai") == ("Nguyễn", "Thị Minh", "Khai")
    assert split_full_name("Lê Lợi") == ("Lê", "", "Lợi")
    assert split_full_name("Madonna") == ("", "", "Madonna")


def test_people_sort_by_given_name_first():
    names = ["Trần Văn Bình", "Nguyễn Văn An", "Lê Thị Cúc"]
    assert sorted(names, key=person_sort_key) == ["Nguyễn Văn An", "Trần Văn Bình", "Lê Thị Cúc"]


def test_same_given_name_sorts_by_family_then_middle():
    names = ["Trần Văn An", "Nguyễn Văn An", "Nguyễn Thị An"]
    assert sorted(names, key=person_sort_key) == ["Nguyễn Thị An", "Nguyễn Văn An", "Trần Văn An"]


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("Lê Văn An", "Lê Văn Ăn"),  # a < ă
        ("Lê Văn Ăn", "Lê Văn Ân"),  # ă < â
        ("Lê Văn Dũng", "Lê Văn Đạt"),  # d < đ, whatever the rest
        ("Lê Văn Ơn", "Lê Văn Phúc"),  # ơ < p
        ("Lê Văn Uy", "Lê Văn Ưng"),  # u < ư
        ("Lê Văn Ma", "Lê Văn Mà"),  # level tone before grave
        ("Lê Văn Mà", "Lê Văn Má"),  # grave before acute
    ],
)
def test_vietnamese_alphabet_order(earlier, later):
    assert person_sort_key(earlier) < person_sort_key(later)


def test_sort_keys_use_only_digits_so_any_collation_agrees():
    assert person_sort_key("Đỗ Thị Ánh Tuyết").isdigit()
    assert text_sort_key("Sở Tư pháp Hà Nội").isdigit()


def test_text_sort_key_orders_unit_names():
    names = ["Sở Tư pháp Hà Nội", "Cục Hộ tịch", "Vụ Thi đua – Khen thưởng", "Cục Con nuôi"]
    assert sorted(names, key=text_sort_key) == ["Cục Con nuôi", "Cục Hộ tịch", "Sở Tư pháp Hà Nội", "Vụ Thi đua – Khen thưởng"]


def test_nfc_drops_control_characters_databases_refuse():
    assert nfc("Lê\x00 Văn\x07 Ân") == "Lê Văn Ân"
