# The workshop app image, built from the official Rust and Debian images:
#   docker build -t localhost/workshop/app:0.1.0 .
# (`docker compose -f compose/docker-compose.yml up --build` builds the same.
# A machine that cannot pull rust/debian makes local stand-ins of them first
# with scripts/standin-images; see docs/stack.md.)
#
# Stage 1 compiles a stripped release binary with the official Rust image;
# stage 2 is Debian slim with only that binary, run as an unprivileged user.
# Both are bookworm, so the binary's glibc (2.36) is the runtime's.
#
# The context is the allow-list in .dockerignore; only those paths are copied.
#
# The one place naming the Rust version; it must equal Cargo.toml's
# rust-version (a test compares them).
ARG RUST_VERSION=1.95

# Behind a TLS-intercepting proxy cargo cannot verify crates.io: the proxy's
# CA (certs/*.crt or certs/*.pem, see certs/README.md) is appended to the
# build's trust store and cargo is pointed at it. A stage of its own makes the
# bundle, so that only the bundle's content keys the layer cache (editing
# certs/README.md does not rebuild the dependencies), and only the build stage
# sees it while building; the final image takes the same bundle as its trust
# store (a console in the container joins a coach's board over HTTPS).
FROM rust:${RUST_VERSION}-bookworm AS ca
COPY certs/ /tmp/extra-ca/
RUN set -eu; n=0; cp /etc/ssl/certs/ca-certificates.crt /ca-bundle.crt; \
    for f in /tmp/extra-ca/*.crt /tmp/extra-ca/*.pem; do \
      [ -f "$f" ] || continue; \
      grep -q -- '-----BEGIN CERTIFICATE-----' "$f" || { echo "certs/${f##*/} holds no PEM certificate" >&2; exit 1; }; \
      { cat "$f"; echo; } >> /ca-bundle.crt; n=$((n + 1)); \
    done; \
    echo "extra CA files added to the build's trust store: $n"

FROM rust:${RUST_VERSION}-bookworm AS build
COPY --from=ca /ca-bundle.crt /etc/ssl/certs/ca-certificates.crt
ENV CARGO_HTTP_CAINFO=/etc/ssl/certs/ca-certificates.crt \
    CARGO_NET_RETRY=5 \
    CARGO_TERM_COLOR=never \
    CARGO_PROFILE_RELEASE_STRIP=symbols

WORKDIR /src

# Dependencies first, built against empty stand-ins for the crate's own
# targets: this layer is reused for as long as Cargo.toml and Cargo.lock stay
# the same, so a change in src/ recompiles only the workshop crate.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches \
    && echo 'fn main() {}' > src/main.rs \
    && : > src/lib.rs \
    && echo 'fn main() {}' > benches/render.rs \
    && cargo build --release --locked --bin workshop \
    && rm -rf src benches \
        target/release/workshop target/release/workshop.d \
        target/release/deps/workshop-* target/release/deps/libworkshop-* \
        target/release/.fingerprint/workshop-*

# The sources, least often changed first (include_str! and sqlx::migrate!
# read cases/, compose/alerts.yml, grafana/ and migrations/ at compile time;
# Cargo.toml names the bench in benches/).
COPY benches ./benches
COPY grafana ./grafana
COPY compose/alerts.yml ./compose/alerts.yml
COPY cases ./cases
COPY migrations ./migrations
COPY src ./src
RUN cargo build --release --locked --bin workshop \
    && ./target/release/workshop --version

FROM debian:bookworm-slim
# No apt-get: the binary needs nothing beyond glibc and the CA bundle (for a
# coach's board behind HTTPS), and a classroom may not reach a Debian mirror.
COPY --from=ca /ca-bundle.crt /etc/ssl/certs/ca-certificates.crt
RUN groupadd --system --gid 10001 workshop \
    && useradd --system --no-log-init --uid 10001 --gid 10001 --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin workshop
COPY --from=build /src/target/release/workshop /usr/local/bin/workshop
# A home the console can write to when the image runs `tui` (progress, the
# session report, local mode's files); `serve` writes nothing there.
RUN mkdir -p /var/lib/workshop && chown 10001:10001 /var/lib/workshop
ENV HOME=/var/lib/workshop
USER 10001:10001
ENV WORKSHOP_LISTEN=0.0.0.0:5000
EXPOSE 5000
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
    CMD ["/usr/local/bin/workshop", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/workshop"]
CMD ["serve"]
