# geosvc API image. The database (PostGIS) runs elsewhere: see docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml changes.
# Every dependency ships manylinux wheels (GEOS, PROJ and GDAL inside), so no compiler is needed.
COPY pyproject.toml README.md ./
RUN mkdir -p geosvc etl api \
    && touch geosvc/__init__.py etl/__init__.py api/__init__.py \
    && pip install . \
    && pip uninstall -y geosvc \
    && rm -rf geosvc etl api build ./*.egg-info

# Then the project itself.
COPY geosvc ./geosvc
COPY etl ./etl
COPY api ./api
RUN pip install --no-deps . && rm -rf build ./*.egg-info

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin geosvc
USER geosvc

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

CMD ["geosvc", "serve", "--host", "0.0.0.0"]
