"""What each URL reads from its query string and form, for tests/config/test_bad_input.py.

Every URL name the site serves must be listed (the test fails for one that is not, so a new
view cannot skip the hostile-input test). An entry is a tuple of form classes (their fields
are the parameter names) and plain names (for views whose forms are not ours: allauth's).
A name may use {assessment} and {student} (the seeded gradebook cell's ids).
"""

from django import forms

from accounts.forms import LanguageForm
from clinic.forms import (
    BookingForm,
    ChairForm,
    DayOffForm,
    HolidayForm,
    HoursForm,
    MessageForm,
    NextForm,
    ReasonForm,
    RemoveForm,
    RescheduleForm,
    ScheduleQueryForm,
    SettingsForm,
    ThreadReadForm,
    TypeEditForm,
    TypeForm,
)
from clinic.forms_waitlist import WaitlistDentistForm, WaitlistJoinForm
from console.forms import (
    DeleteForm,
    DomainChangeForm,
    DomainForm,
    OnboardingForm,
    RenameForm,
    StatusForm,
    TenantLocaleForm,
)
from people.account.forms import EmailChangeForm, NotificationChoicesForm, ProfileForm
from people.forms import PeopleFilterForm, PersonAddForm, RoleChangeForm
from people.imports.forms import StartForm, UploadForm
from realtime.forms import MarkReadForm
from school.forms import (
    AssessmentForm,
    ChildForm,
    CourseTeachersForm,
    FeeForm,
    GradingSettingsForm,
    GroupForm,
    InvoiceCancelForm,
    InvoiceFilterForm,
    InvoiceIssueForm,
    PageForm,
    PaymentForm,
)
from school.forms_announcements import AnnouncementForm
from school.forms_billing import BillingRunForm
from school.forms_setup import (
    CourseForm,
    GroupEnrolForm,
    SchoolYearForm,
    StudentCourseForm,
    StudentGroupForm,
    SubjectForm,
    TermEditForm,
    TermForm,
)
from school.forms_setup import GroupForm as SetupGroupForm

Reads = tuple[type[forms.Form] | str, ...]

# allauth's pages, on every site ("next" is read by most of them).
ACCOUNT: dict[str, Reads] = {
    "account_login": ("login", "password", "remember", "next"),
    "account_logout": ("next",),
    "account_inactive": (),
    "account_signup": ("full_name", "email", "password1", "password2", "next"),
    "account_reauthenticate": ("password", "next"),
    "account_email": ("email", "action_add", "action_send", "action_remove", "action_primary"),
    "account_email_verification_sent": (),
    "account_change_password": ("oldpassword", "password1", "password2"),
    "account_set_password": ("password1", "password2"),
    "account_reset_password": ("email",),
    "account_confirm_login_code": ("code",),
    "account_confirm_email": ("key",),
    "account_reset_password_from_key_done": (),
    "account_reset_password_from_key": ("password1", "password2"),
    "account_reset_password_done": (),
}

# The JS catalogue and the language chooser, on every site.
LANGUAGE: dict[str, Reads] = {
    "javascript-catalog": (),
    "set_language": (LanguageForm, "next"),
}

COMMON: dict[str, Reads] = {
    **ACCOUNT,
    **LANGUAGE,
    "home": (),
    "realtime:inbox": (),
    "realtime:mark_read": (MarkReadForm,),
    "presence_online": (),
    # the people pages (people-pages)
    "people:list": (PeopleFilterForm,),
    "people:list_csv": (PeopleFilterForm,),
    "people:add": (PersonAddForm,),
    "people:detail": (),
    "people:resend": (),
    "people:role": (RoleChangeForm,),
    "people:deactivate": (),
    "people:reactivate": (),
    "people:delete": (),
    # the CSV import (people.imports), on schools and clinics alike
    "people:import": (),
    "people:import_template": (),
    "people:import_preview": (UploadForm,),
    "people:import_start": (StartForm,),
    "people:import_job": (),
    "people:import_job_fragment": (),
    # my account (people.account)
    "people:account": (),
    "people:account_profile": (ProfileForm,),
    "people:account_email": (EmailChangeForm,),
    "people:account_notifications": (NotificationChoicesForm,),
    "people:account_sign_out_everywhere": (),
}

SCHOOL: dict[str, Reads] = {
    **COMMON,
    "school:dashboard": (),
    "school:courses": (),
    "school:gradebook": ("g-{assessment}-{student}", "g-{assessment}-999999999999999999"),
    "school:assessment_add": (AssessmentForm,),
    "school:course_publish": (),
    "school:grade_publish": (),
    "school:term_publish": (),
    "school:student_term_report": (),
    "school:fees": (FeeForm,),
    "school:fee_edit": (FeeForm,),
    "school:fee_deactivate": (),
    "school:fee_reactivate": (),
    "school:invoices": (InvoiceFilterForm, PageForm),
    "school:invoices_csv": (InvoiceFilterForm,),
    "school:gradebook_csv": (),
    "school:payments_csv": (),
    "school:invoice_new": (InvoiceIssueForm,),
    "school:invoice_detail": (),
    "school:payment_record": (PaymentForm,),
    "school:invoice_cancel": (InvoiceCancelForm,),
    "school:dashboard_totals": (),
    "school:announcements": (),
    "school:announcement_new": (AnnouncementForm,),
    "school:announcement": (),
    "school:announcement_reads_json": (),
    "school:billing_runs": (),
    "school:billing_run_new": (BillingRunForm,),
    "school:billing_run": (),
    "school:billing_run_fragment": (),
    "school:payments_feed": (),
    "school:payments_feed_json": (),
    "school:payments_feed_fragment": (),
    "school:receipt": (),
    "school:my_grades": (ChildForm,),
    "school:my_grades_json": (ChildForm,),
    "school:my_grades_fragment": (ChildForm,),
    "school:my_term_report": (ChildForm,),
    "school:my_invoices": (ChildForm,),
    "school:my_balance_json": (ChildForm,),
    "school:my_invoices_fragment": (ChildForm,),
    "school:course_teachers": (CourseTeachersForm,),
    "school:groups": (GroupForm,),
    "school:group_rename": (GroupForm,),
    # setting the school up
    "school:setup": (),
    "school:setup_years": (SchoolYearForm,),
    "school:setup_year_edit": (SchoolYearForm,),
    "school:setup_terms": (TermForm,),
    "school:setup_term_edit": (TermEditForm,),
    "school:setup_groups": (SetupGroupForm,),
    "school:setup_subjects": (SubjectForm,),
    "school:setup_courses": (CourseForm,),
    "school:setup_course_edit": ("teachers",),
    "school:setup_delete": (),
    "school:setup_enrolment": (),
    "school:setup_enrol_group": (GroupEnrolForm,),
    "school:setup_student_group": (StudentGroupForm,),
    "school:setup_student_course": (StudentCourseForm,),
    "school:setup_grading": (GradingSettingsForm,),
}

CLINIC: dict[str, Reads] = {
    **COMMON,
    "clinic:dashboard": (),
    "clinic:book": (BookingForm,),
    "clinic:my_appointments": (),
    "clinic:appointment": (),
    "clinic:message_post": (MessageForm, NextForm),
    "clinic:cancel": (ReasonForm, NextForm),
    "clinic:confirm": (NextForm,),
    "clinic:decline": (ReasonForm, NextForm),
    "clinic:propose": (RescheduleForm, NextForm),
    "clinic:accept": (NextForm,),
    "clinic:reject": (NextForm,),
    "clinic:withdraw": (NextForm,),
    "clinic:complete": (NextForm,),
    "clinic:no_show": (NextForm,),
    "clinic:schedule": (ScheduleQueryForm,),
    "clinic:schedule_data": (ScheduleQueryForm,),
    "clinic:requests": (),
    "clinic:calendar_feed": (),
    "clinic:calendar_feed_reset": (),
    "clinic:calendar_feed_ics": (),
    "clinic:inbox": (),
    "clinic:inbox_data": (),
    "clinic:thread_read": (ThreadReadForm,),
    "clinic:setup": (),
    "clinic:setup_dentists": (),
    "clinic:setup_hours": (HoursForm, RemoveForm),
    "clinic:setup_days_off": (DayOffForm, RemoveForm),
    "clinic:setup_holidays": (HolidayForm, RemoveForm),
    "clinic:setup_chairs": (ChairForm, RemoveForm),
    "clinic:setup_types": (TypeForm, TypeEditForm),
    "clinic:setup_settings": (SettingsForm,),
    "clinic:waitlist": (WaitlistJoinForm,),
    "clinic:waitlist_leave": (),
    "clinic:waitlist_offer": (),
    "clinic:waitlist_offer_accept": (),
    "clinic:waitlist_staff": (WaitlistDentistForm,),
}

PUBLIC: dict[str, Reads] = {
    **ACCOUNT,
    **LANGUAGE,
    "console_home": (),
    "console_monitor": (),
    "metrics": (),
    "console_onboard": (OnboardingForm,),
    "console_tenant": (),
    "console_tenant_status": (StatusForm,),
    "console_tenant_locale": (TenantLocaleForm,),
    "console_tenant_rename": (RenameForm,),
    "console_tenant_reinvite": (),
    "console_tenant_delete": (DeleteForm,),
    "console_domain_add": (DomainForm,),
    "console_domain_change": (DomainChangeForm,),
    "javascript-catalog": (),
}


def parameter_names(reads: Reads) -> list[str]:
    names: list[str] = []
    for read in reads:
        names.extend([read] if isinstance(read, str) else list(read.base_fields))
    return names
