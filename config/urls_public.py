"""The operators' site (public schema)."""

from django.urls import include, path

from tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.console_home, name="console_home"),
    path("monitor/", tenant_views.console_monitor, name="console_monitor"),
    path("metrics", tenant_views.metrics_endpoint, name="metrics"),
    path("tenants/new/", tenant_views.tenant_onboard, name="console_onboard"),
    path("tenants/<slug:slug>/", tenant_views.tenant_detail, name="console_tenant"),
    path("tenants/<slug:slug>/status/", tenant_views.tenant_status, name="console_tenant_status"),
    path(
        "tenants/<slug:slug>/domains/",
        tenant_views.tenant_domain_create,
        name="console_domain_add",
    ),
    path(
        "tenants/<slug:slug>/domains/change/",
        tenant_views.tenant_domain_change,
        name="console_domain_change",
    ),
    path("accounts/", include("allauth.urls")),
]
