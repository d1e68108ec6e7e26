# The workshop app image, for machines with a registry:
#   docker build -t workshop/app:local .
# (Machines without one use scripts/build-images instead; see docs/stack.md.)
#
# Stage 1 compiles with the official Rust image; stage 2 is Debian slim with
# only the binary and CA certificates, run as an unprivileged user. Both stages
# are bookworm, so the binary's glibc matches the runtime's.
ARG RUST_VERSION=1.85

FROM rust:${RUST_VERSION}-bookworm AS build
WORKDIR /src
# Dependencies first: this layer is reused while only the sources change.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked --bin workshop || true
COPY . .
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin workshop \
    && strip target/release/workshop

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin workshop
COPY --from=build /src/target/release/workshop /usr/local/bin/workshop
USER workshop
ENV WORKSHOP_LISTEN=0.0.0.0:5000
EXPOSE 5000
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
    CMD ["/usr/local/bin/workshop", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/workshop"]
CMD ["serve"]
