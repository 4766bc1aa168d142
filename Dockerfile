# iblint in a container: a static musl binary on a distroless base (no shell, no package manager),
# run as a non-root user. CI builds it and runs it over testdata/example (.github/workflows/ci.yml).
#
#   docker build -t iblint .
#   docker run --rm -v "$PWD:/work:ro" iblint check .
#
# Stage 1: Alpine's Rust targets musl and links statically by default.
FROM rust:1.89-alpine3.22 AS build
# The C parts (ring, mimalloc) need the musl headers.
RUN apk add --no-cache musl-dev=~1.2
WORKDIR /src
COPY . .
RUN cargo build --locked --profile dist --features live --bins \
    && mkdir /out \
    && cp target/dist/iblint target/dist/kubectl-iblint /out/

# Stage 2: only the binaries, CA certificates and a passwd entry for the non-root user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ /usr/local/bin/
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/iblint"]
CMD ["--help"]
