from django.urls import path

from school.views import (
    announcements,
    billing_runs,
    dashboard,
    exports,
    grades,
    groups,
    payments,
    setup,
)

app_name = "school"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("overview/totals/", dashboard.dashboard_totals, name="dashboard_totals"),
    # administrators: setting the school up (calendar and structure)
    path("setup/", setup.setup, name="setup"),
    path("setup/years/", setup.setup_years, name="setup_years"),
    path("setup/years/<int:year_id>/", setup.setup_year_edit, name="setup_year_edit"),
    path("setup/terms/", setup.setup_terms, name="setup_terms"),
    path("setup/terms/<int:term_id>/", setup.setup_term_edit, name="setup_term_edit"),
    path("setup/groups/", setup.setup_groups, name="setup_groups"),
    path("setup/subjects/", setup.setup_subjects, name="setup_subjects"),
    path("setup/courses/", setup.setup_courses, name="setup_courses"),
    path("setup/courses/<int:course_id>/", setup.setup_course_edit, name="setup_course_edit"),
    path("setup/<slug:kind>/<int:object_id>/delete/", setup.setup_delete, name="setup_delete"),
    path("setup/enrolment/", setup.setup_enrolment, name="setup_enrolment"),
    path("setup/enrolment/group/", setup.setup_enrol_group, name="setup_enrol_group"),
    path("setup/enrolment/move/", setup.setup_student_group, name="setup_student_group"),
    path("setup/enrolment/course/", setup.setup_student_course, name="setup_student_course"),
    path("setup/grading/", grades.setup_grading, name="setup_grading"),
    # administrators and (their own courses) teachers: grades
    path("courses/", grades.courses, name="courses"),
    path("courses/<int:course_id>/teachers/", grades.course_teachers, name="course_teachers"),
    path("courses/<int:course_id>/gradebook/", grades.gradebook, name="gradebook"),
    path("courses/<int:course_id>/gradebook.csv", exports.gradebook_csv, name="gradebook_csv"),
    path("courses/<int:course_id>/assessments/", grades.assessment_add, name="assessment_add"),
    path("courses/<int:course_id>/publish/", grades.course_publish, name="course_publish"),
    path("grades/<int:grade_id>/publish/", grades.grade_publish, name="grade_publish"),
    path("terms/<int:term_id>/publish/", grades.term_publish, name="term_publish"),
    path(
        "terms/<int:term_id>/students/<int:student_id>/report/",
        grades.student_term_report,
        name="student_term_report",
    ),
    # administrators: class groups
    path("groups/", groups.groups, name="groups"),
    path("groups/<int:group_id>/rename/", groups.group_rename, name="group_rename"),
    # administrators: payments
    path("fees/", payments.fees, name="fees"),
    path("fees/<int:fee_id>/edit/", payments.fee_edit, name="fee_edit"),
    path("fees/<int:fee_id>/deactivate/", payments.fee_deactivate, name="fee_deactivate"),
    path("fees/<int:fee_id>/reactivate/", payments.fee_reactivate, name="fee_reactivate"),
    path("invoices/", payments.invoices, name="invoices"),
    path("invoices.csv", exports.invoices_csv, name="invoices_csv"),
    path("invoices/new/", payments.invoice_new, name="invoice_new"),
    path("invoices/<int:invoice_id>/", payments.invoice_detail, name="invoice_detail"),
    path("invoices/<int:invoice_id>/pay/", payments.payment_record, name="payment_record"),
    path("invoices/<int:invoice_id>/cancel/", payments.invoice_cancel, name="invoice_cancel"),
    path("billing-runs/", billing_runs.billing_runs, name="billing_runs"),
    path("billing-runs/new/", billing_runs.billing_run_new, name="billing_run_new"),
    path("billing-runs/<int:run_id>/", billing_runs.billing_run, name="billing_run"),
    path(
        "billing-runs/<int:run_id>/fragment/",
        billing_runs.billing_run_fragment,
        name="billing_run_fragment",
    ),
    path("payments/", payments.payments_feed, name="payments_feed"),
    path("payments.csv", exports.payments_csv, name="payments_csv"),
    path("payments/feed.json", payments.payments_feed_json, name="payments_feed_json"),
    path("payments/fragment/", payments.payments_feed_fragment, name="payments_feed_fragment"),
    path("payments/<int:payment_id>/receipt/", payments.receipt, name="receipt"),
    # announcements: administrators and teachers send, everyone they reach reads
    path("announcements/", announcements.announcements, name="announcements"),
    path("announcements/new/", announcements.announcement_new, name="announcement_new"),
    path(
        "announcements/<int:announcement_id>/",
        announcements.announcement,
        name="announcement",
    ),
    path(
        "announcements/<int:announcement_id>/reads.json",
        announcements.announcement_reads_json,
        name="announcement_reads_json",
    ),
    # students, and guardians for each child (?student=<id>)
    path("my/grades/", grades.my_grades, name="my_grades"),
    path("my/grades.json", grades.my_grades_json, name="my_grades_json"),
    path("my/grades/fragment/", grades.my_grades_fragment, name="my_grades_fragment"),
    path("my/terms/<int:term_id>/report/", grades.my_term_report, name="my_term_report"),
    path("my/invoices/", payments.my_invoices, name="my_invoices"),
    path("my/balance.json", payments.my_balance_json, name="my_balance_json"),
    path("my/invoices/fragment/", payments.my_invoices_fragment, name="my_invoices_fragment"),
]
