# One image for every notify process (docker-compose.yml picks the command per service).
# Cloud Foundry does not use this file: it stages each service with the Python buildpack
# from `make package SERVICE=...`.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, pinned by constraints.txt, so code edits do not reinstall them.
COPY constraints.txt ./
COPY shared/pyproject.toml shared/
COPY services/api/pyproject.toml services/api/
COPY services/sender/pyproject.toml services/sender/
COPY services/status-receiver/pyproject.toml services/status-receiver/
COPY services/scheduler/pyproject.toml services/scheduler/
COPY tools/pyproject.toml tools/
RUN python -c "import tomllib; \
projects = ['shared', 'services/api', 'services/sender', 'services/status-receiver', 'services/scheduler', 'tools']; \
deps = {d for p in projects for d in tomllib.load(open(p + '/pyproject.toml', 'rb'))['project']['dependencies']}; \
print('\n'.join(sorted(d for d in deps if not d.startswith('notify-'))))" > /tmp/requirements.txt
RUN pip install -c constraints.txt -r /tmp/requirements.txt

COPY shared shared
COPY services services
COPY tools tools
RUN pip install --no-deps ./shared ./services/api ./services/sender ./services/status-receiver \
        ./services/scheduler ./tools \
    && useradd --system --uid 10001 --no-create-home notify

USER notify
