"""The operators' site (public schema)."""

from django.urls import include, path

from tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.console_home, name="console_home"),
    path("tenants/new/", tenant_views.tenant_onboard, name="console_onboard"),
    path("tenants/<slug:slug>/", tenant_views.tenant_detail, name="console_tenant"),
    path("tenants/<slug:slug>/status/", tenant_views.tenant_status, name="console_tenant_status"),
    path("tenants/<slug:slug>/progress/", tenant_views.tenant_progress, name="console_progress"),
    path("accounts/", include("allauth.urls")),
]
