"""Retraining automation: new labels or station data -> features and model, at most once a day.

flood_features is requested when (a) flood_events or station_observations materialized since
flood_features last ran AND (b) the daily tick (03:00 Manila, after the night's landing files)
passed since then. Both parts are `since_last_handled`, so one request consumes both: a change
at 10:00 waits for the next 03:00 tick. Hourly weather_data updates do not count. flood_model
follows flood_features eagerly. Evaluated by `retraining_sensor` below (running by default,
so retraining needs no manual switch in the UI).
"""

import dagster as dg

from floodingnaque_pipeline.domain.time import MANILA_TZ_NAME

RETRAIN_CRON = "0 3 * * *"

_labels_changed = (
    dg.AutomationCondition.any_deps_match(dg.AutomationCondition.newly_updated())
    .allow(dg.AssetSelection.assets("flood_events", "station_observations"))
    .since_last_handled()
)
_daily_tick = dg.AutomationCondition.cron_tick_passed(
    RETRAIN_CRON, MANILA_TZ_NAME
).since_last_handled()

retrain_daily = (_daily_tick & _labels_changed & ~dg.AutomationCondition.in_progress()).with_label(
    "labels or station data changed; at most once a day (03:00 Manila)"
)

after_features = (
    dg.AutomationCondition.any_deps_match(dg.AutomationCondition.newly_updated())
    .allow(dg.AssetSelection.assets("flood_features"))
    .since_last_handled()
    & ~dg.AutomationCondition.in_progress()
).with_label("flood_features was rebuilt")

retraining_sensor = dg.AutomationConditionSensorDefinition(
    "retraining_sensor",
    target=dg.AssetSelection.assets("flood_features", "flood_model"),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=300,
    description="Evaluates the retraining conditions of flood_features and flood_model.",
)
