"""URLs of the work-plan area. Views live in office/views/<topic>.py."""

from django.urls import path

from office.views import dashboards, excel, files, petitions, plans, tasks

app_name = "office"
urlpatterns = [
    # dashboards (office/views/dashboards.py)
    path("", dashboards.UnitDashboardView.as_view(), name="home"),
    path("ministry/", dashboards.MinistryDashboardView.as_view(), name="ministry_dashboard"),
    # plans and tasks (office/views/plans.py, office/views/tasks.py)
    path("plans/", plans.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", plans.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", plans.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/transition/<str:action>/", plans.PlanTransitionView.as_view(), name="plan_transition"),
    path("plans/<int:pk>/tasks/new/", tasks.TaskCreateView.as_view(), name="task_create"),
    path("tasks/", tasks.TaskListView.as_view(), name="task_list"),
    path("tasks/<int:pk>/", tasks.TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/edit/", tasks.TaskEditView.as_view(), name="task_edit"),
    path("tasks/<int:pk>/delete/", tasks.TaskDeleteView.as_view(), name="task_delete"),
    path("tasks/<int:pk>/progress/", tasks.ProgressCreateView.as_view(), name="task_progress"),
    path("tasks/<int:pk>/complete/", tasks.TaskCompleteView.as_view(), name="task_complete"),
    path("tasks/<int:pk>/adjustment/", tasks.AdjustmentRequestView.as_view(), name="adjustment_request"),
    path("adjustments/", tasks.AdjustmentListView.as_view(), name="adjustment_list"),
    path("adjustments/<int:pk>/decide/", tasks.AdjustmentDecideView.as_view(), name="adjustment_decide"),
    # downloads of attachments, through a permission check (office/views/files.py)
    path("tasks/<int:pk>/output-file/", files.task_output_file, name="task_output_file"),
    path("progress/<int:pk>/attachment/", files.progress_attachment, name="progress_attachment"),
    path("petitions/<int:pk>/answer-file/", files.petition_answer_file, name="petition_answer_file"),
    # Excel import and export (office/views/excel.py)
    path("plans/<int:pk>/import/", excel.PlanImportView.as_view(), name="plan_import"),
    path("tasks/import-template/", excel.ImportTemplateView.as_view(), name="import_template"),
    path("tasks/export/", excel.TaskExportView.as_view(), name="task_export"),
    # voters' petitions (office/views/petitions.py)
    path("petitions/", petitions.PetitionBatchListView.as_view(), name="petition_batch_list"),
    path("petitions/batches/new/", petitions.PetitionBatchCreateView.as_view(), name="petition_batch_create"),
    path("petitions/batches/<int:pk>/", petitions.PetitionBatchDetailView.as_view(), name="petition_batch_detail"),
    path("petitions/batches/<int:pk>/new/", petitions.PetitionCreateView.as_view(), name="petition_create"),
    path("petitions/<int:pk>/", petitions.PetitionDetailView.as_view(), name="petition_detail"),
    path("petitions/<int:pk>/answer/", petitions.PetitionAnswerView.as_view(), name="petition_answer"),
]
