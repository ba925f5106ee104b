"""The few Dagster GraphQL calls the end-to-end tests and benches make (Dagster 1.13 schema)."""

from __future__ import annotations

import time
from typing import Any

import requests

REPOSITORY = "__repository__"
ASSET_JOB = "__ASSET_JOB"
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}

_RUN_FIELDS = "id status tags { key value } startTime endTime"

LAUNCH_RUN = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { id } }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on Error { message }
  }
}"""

LAUNCH_BACKFILL = """
mutation Backfill($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on Error { message }
  }
}"""

REEXECUTE = """
mutation Reexecute($params: ReexecutionParams) {
  launchRunReexecution(reexecutionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { id } }
    ... on Error { message }
  }
}"""

RUN = f"""
query Run($id: ID!) {{
  runOrError(runId: $id) {{ __typename ... on Run {{ {_RUN_FIELDS} }} ... on Error {{ message }} }}
}}"""

RUNS = f"""
query Runs($filter: RunsFilter) {{
  runsOrError(filter: $filter) {{
    __typename ... on Runs {{ results {{ {_RUN_FIELDS} }} }} ... on Error {{ message }}
  }}
}}"""

MATERIALIZATIONS = """
query Materializations($id: ID!) {
  runOrError(runId: $id) {
    __typename ... on Run { assetMaterializations { assetKey { path } timestamp } }
    ... on Error { message }
  }
}"""

BACKFILL = """
query Backfill($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    __typename ... on PartitionBackfill { id status } ... on Error { message }
  }
}"""

SCHEDULE = """
query Schedule($selector: ScheduleSelector!) {
  scheduleOrError(scheduleSelector: $selector) {
    __typename
    ... on Schedule {
      id cronSchedule
      scheduleState { id status ticks(limit: 20) { id status runIds timestamp } }
    }
    ... on Error { message }
  }
}"""

START_SCHEDULE = """
mutation Start($selector: ScheduleSelector!) {
  startSchedule(scheduleSelector: $selector) {
    __typename ... on ScheduleStateResult { scheduleState { status } } ... on Error { message }
  }
}"""

STOP_SCHEDULE = """
mutation Stop($id: String!) {
  stopRunningSchedule(id: $id) {
    __typename ... on ScheduleStateResult { scheduleState { status } } ... on Error { message }
  }
}"""

WORKSPACE = """
{ workspaceOrError { __typename ... on Workspace { locationEntries {
    name loadStatus locationOrLoadError { __typename ... on PythonError { message } }
} } } }"""

DAEMONS = "{ instance { daemonHealth { allDaemonStatuses { daemonType healthy required } } } }"


class GraphQLError(RuntimeError):
    pass


class DagsterApi:
    def __init__(self, url: str, location: str) -> None:
        self.url = url
        self.location = location
        self._http = requests.Session()

    def __call__(self, query: str, variables: dict | None = None, timeout: float = 60) -> dict:
        response = self._http.post(
            self.url, json={"query": query, "variables": variables or {}}, timeout=timeout
        )
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise GraphQLError(str(body["errors"])[:2000])
        return body["data"]

    # -- readiness -------------------------------------------------------------------------
    def version(self) -> str | None:
        try:
            return self("{ version }", timeout=10)["version"]
        except (requests.RequestException, GraphQLError, ValueError):
            return None

    def location_loaded(self) -> bool:
        entries = self(WORKSPACE)["workspaceOrError"]["locationEntries"]
        for entry in entries:
            if entry["name"] != self.location or entry["loadStatus"] != "LOADED":
                continue
            loaded = entry["locationOrLoadError"]
            if loaded and loaded["__typename"] == "PythonError":
                raise GraphQLError(f"code location failed to load: {loaded['message']}")
            return True
        return False

    def daemons_healthy(self) -> bool:
        statuses = self(DAEMONS)["instance"]["daemonHealth"]["allDaemonStatuses"]
        return all(s["healthy"] for s in statuses if s["required"])

    # -- runs ------------------------------------------------------------------------------
    def _selector(self, **extra: Any) -> dict:
        return {"repositoryLocationName": self.location, "repositoryName": REPOSITORY} | extra

    def launch_assets(
        self,
        keys: list[str],
        *,
        partition: str | None = None,
        tags: dict[str, str] | None = None,
        run_config: dict | None = None,
        job: str = ASSET_JOB,
    ) -> str:
        tags = dict(tags or {})
        if partition:
            tags["dagster/partition"] = partition
        selector = self._selector(jobName=job)
        if keys:
            selector["assetSelection"] = [{"path": [k]} for k in keys]
        params = {
            "selector": selector,
            "runConfigData": run_config or {},
            "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in tags.items()]},
        }
        result = self(LAUNCH_RUN, {"params": params})["launchRun"]
        if result["__typename"] != "LaunchRunSuccess":
            raise GraphQLError(f"launchRun: {result}")
        return result["run"]["id"]

    def launch_backfill(
        self, partitions: list[str], keys: list[str], tags: dict[str, str] | None = None
    ) -> str:
        params = {
            "partitionNames": partitions,
            "assetSelection": [{"path": [k]} for k in keys],
            "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()],
        }
        result = self(LAUNCH_BACKFILL, {"params": params})["launchPartitionBackfill"]
        if result["__typename"] != "LaunchBackfillSuccess":
            raise GraphQLError(f"launchPartitionBackfill: {result}")
        return result["backfillId"]

    def reexecute(self, run_id: str, strategy: str = "FROM_FAILURE") -> str:
        params = {"parentRunId": run_id, "strategy": strategy}
        result = self(REEXECUTE, {"params": params})["launchRunReexecution"]
        if result["__typename"] != "LaunchRunSuccess":
            raise GraphQLError(f"launchRunReexecution: {result}")
        return result["run"]["id"]

    def run(self, run_id: str) -> dict:
        result = self(RUN, {"id": run_id})["runOrError"]
        if result["__typename"] != "Run":
            raise GraphQLError(f"runOrError: {result}")
        return result

    def runs(self, tags: dict[str, str] | None = None) -> list[dict]:
        flt = {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]}
        return self(RUNS, {"filter": flt})["runsOrError"]["results"]

    def materializations(self, run_id: str) -> list[tuple[str, float]]:
        """(asset key, event time in epoch seconds) of each materialization of the run."""
        result = self(MATERIALIZATIONS, {"id": run_id})["runOrError"]
        if result["__typename"] != "Run":
            raise GraphQLError(f"runOrError: {result}")
        return [
            ("/".join(m["assetKey"]["path"]), float(m["timestamp"]) / 1000)
            for m in result["assetMaterializations"]
        ]

    def wait_for_run(self, run_id: str, timeout: float = 300, alive: Any = None) -> str:
        deadline = time.monotonic() + timeout
        status = None
        while time.monotonic() < deadline:
            if alive is not None:
                alive.check_alive()
            status = self.run(run_id)["status"]
            if status in TERMINAL:
                return status
            time.sleep(1)
        raise TimeoutError(f"run {run_id} still {status} after {timeout:.0f} s")

    def backfill_status(self, backfill_id: str) -> str:
        result = self(BACKFILL, {"id": backfill_id})["partitionBackfillOrError"]
        if result["__typename"] != "PartitionBackfill":
            raise GraphQLError(f"partitionBackfillOrError: {result}")
        return result["status"]

    # -- schedules -------------------------------------------------------------------------
    def schedule(self, name: str) -> dict:
        selector = self._selector(scheduleName=name)
        result = self(SCHEDULE, {"selector": selector})["scheduleOrError"]
        if result["__typename"] != "Schedule":
            raise GraphQLError(f"scheduleOrError: {result}")
        return result

    def start_schedule(self, name: str) -> str:
        selector = self._selector(scheduleName=name)
        result = self(START_SCHEDULE, {"selector": selector})["startSchedule"]
        if result["__typename"] != "ScheduleStateResult":
            raise GraphQLError(f"startSchedule: {result}")
        return result["scheduleState"]["status"]

    def stop_schedule(self, name: str) -> str:
        state_id = self.schedule(name)["scheduleState"]["id"]
        result = self(STOP_SCHEDULE, {"id": state_id})["stopRunningSchedule"]
        if result["__typename"] != "ScheduleStateResult":
            raise GraphQLError(f"stopRunningSchedule: {result}")
        return result["scheduleState"]["status"]
