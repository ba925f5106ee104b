# One image for the three Dagster services of docker-compose.yml: the code server (which also
# runs the runs, as subprocesses: DefaultRunLauncher), the webserver and the daemon.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DAGSTER_HOME=/opt/dagster/home

WORKDIR /opt/dagster/app

# Dependencies first (cached while only the code changes), then the package itself.
COPY pyproject.toml README.md ./
COPY floodingnaque_pipeline ./floodingnaque_pipeline
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /opt/dagster dagster \
    && mkdir -p "$DAGSTER_HOME/storage" /opt/dagster/landing \
    && chown -R dagster:dagster /opt/dagster

COPY deploy/dagster.yaml workspace.yaml /opt/dagster/home/

USER dagster
EXPOSE 3000 4000
# The default command is the code server; compose overrides it for the webserver and daemon.
CMD ["dagster", "code-server", "start", "-h", "0.0.0.0", "-p", "4000", \
     "-m", "floodingnaque_pipeline.definitions", "-a", "defs", "--location-name", "floodingnaque_pipeline"]
