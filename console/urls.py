"""The operators' console (public schema; mounted by config.urls_public)."""

from django.urls import path

from console import views

urlpatterns = [
    path("", views.console_home, name="console_home"),
    path("monitor/", views.console_monitor, name="console_monitor"),
    path("metrics", views.metrics_endpoint, name="metrics"),
    path("tenants/new/", views.tenant_onboard, name="console_onboard"),
    path("tenants/<slug:slug>/", views.tenant_detail, name="console_tenant"),
    path("tenants/<slug:slug>/status/", views.tenant_status, name="console_tenant_status"),
    path("tenants/<slug:slug>/name/", views.tenant_rename_view, name="console_tenant_rename"),
    path("tenants/<slug:slug>/invite/", views.tenant_reinvite, name="console_tenant_reinvite"),
    path("tenants/<slug:slug>/delete/", views.tenant_delete_view, name="console_tenant_delete"),
    path("tenants/<slug:slug>/settings/", views.tenant_locale, name="console_tenant_locale"),
    path("tenants/<slug:slug>/domains/", views.tenant_domain_create, name="console_domain_add"),
    path(
        "tenants/<slug:slug>/domains/change/",
        views.tenant_domain_change,
        name="console_domain_change",
    ),
]
