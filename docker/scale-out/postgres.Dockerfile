# PostgreSQL 15 from Debian's packages, for compose.yaml's scale-out profile: the catalogue the
# store replicas share. Built from debian:bookworm-slim, so that it builds where the base does.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
USER postgres
ENV PGDATA=/var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
EXPOSE 5432
HEALTHCHECK --interval=5s --timeout=3s --retries=12 CMD pg_isready -h 127.0.0.1 -q || exit 1
# SIGINT is PostgreSQL's fast shutdown: sessions end, the data is flushed.
STOPSIGNAL SIGINT
ENTRYPOINT ["/bin/sh", "/usr/local/bin/postgres-entrypoint.sh"]
