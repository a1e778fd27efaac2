# The only container that publishes ports. TLS certificates are mounted at /etc/nginx/certs.
FROM nginx:1.27-alpine
COPY deploy/nginx/automana.conf /etc/nginx/conf.d/default.conf
COPY deploy/nginx/automana_proxy.inc /etc/nginx/conf.d/automana_proxy.inc
# busybox wget ships with the alpine image, so the health check needs nothing extra.
HEALTHCHECK --interval=15s --timeout=5s --retries=3 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1/health"]
