from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Tenants"

    def ready(self) -> None:
        from tenants.sites import install_schema_keyed_site_cache

        install_schema_keyed_site_cache()
