"""django.contrib.sites caches Site rows in one process-wide dict keyed by SITE_ID. Every
tenant schema has its own Site row with id 1, so the first tenant to be looked up would name
every other tenant's e-mails ("[Beta School] Password Reset" sent by Alpha School). The cache
is made per schema here; installed once from TenantsConfig.ready()."""

from collections.abc import Hashable
from typing import Any

from django.contrib.sites import models as sites_models

from tenants.db import current_schema_name


class SchemaKeyedSiteCache(dict[tuple[str, Hashable], Any]):
    """The sites cache, with the current schema folded into every key."""

    @staticmethod
    def _key(key: Hashable) -> tuple[str, Hashable]:
        return (current_schema_name(), key)

    def __contains__(self, key: object) -> bool:
        return super().__contains__(self._key(key))

    def __getitem__(self, key: Hashable) -> Any:
        return super().__getitem__(self._key(key))

    def __setitem__(self, key: Hashable, value: Any) -> None:
        super().__setitem__(self._key(key), value)

    def __delitem__(self, key: Hashable) -> None:
        super().__delitem__(self._key(key))

    def pop(self, key: Hashable, *default: Any) -> Any:
        return super().pop(self._key(key), *default)


def install_schema_keyed_site_cache() -> None:
    sites_models.SITE_CACHE = SchemaKeyedSiteCache()

    def clear_cache(self: sites_models.SiteManager) -> None:
        # Django's own clear_cache rebinds a plain dict; keep the per-schema one.
        sites_models.SITE_CACHE = SchemaKeyedSiteCache()

    sites_models.SiteManager.clear_cache = clear_cache  # type: ignore[method-assign]
