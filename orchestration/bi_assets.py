"""The dashboards published to Superset, after the marts were published (so after every blocking
check passed). When no local Superset is running, the asset says so and publishes nothing."""

from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, ConfigurableResource, MaterializeResult, asset

from .bi.settings import BiSettings
from .resources import CallmartResource


class SupersetResource(ConfigurableResource):
    """Where the local Superset lives (CALLMART_BI_HOME, CALLMART_BI_PORT, read when definitions load).
    A run republishes the dashboards only to a Superset that `callmart bi up` pointed at this run's
    published copy (so a test or a second warehouse never overwrites another's dashboards)."""

    home: str
    port: int = 8088

    @classmethod
    def from_env(cls) -> "SupersetResource":
        settings = BiSettings.from_env()
        return cls(home=str(settings.home), port=settings.port)

    @property
    def settings(self) -> BiSettings:
        return BiSettings(home=Path(self.home), port=self.port)


@asset(
    key=AssetKey(["bi", "superset"]),
    deps=[AssetKey(["publish", "marts"])],
    group_name="publish",
    kinds={"superset"},
    description="Superset's datasets, charts, dashboards, client roles and RLS rules, from bi/bundle.py.",
)
def superset_dashboards(
    context: AssetExecutionContext, callmart: CallmartResource, superset: SupersetResource
) -> MaterializeResult:
    from .bi import server
    from .bi.publish import publish_to

    settings = superset.settings
    published = callmart.paths.published
    if not settings.serves(published) or not server.healthy(settings):
        context.log.info(
            f"no Superset at {settings.url} serving {published}: dashboards not published "
            "(`callmart bi up --warehouse ...` starts one)"
        )
        return MaterializeResult(metadata={"published": False, "url": settings.url})
    result = publish_to(settings, published, callmart.out.line)
    return MaterializeResult(
        metadata={"published": True, "url": settings.url, "dashboards": len(result.dashboards)}
    )
