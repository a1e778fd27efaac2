"""nginx with the production site config, run natively in front of a real uvicorn on loopback."""
from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.fixtures.celery import worker_environment

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def wait_for(url: str, proc: subprocess.Popen, log: Path, **kwargs) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"process exited ({proc.returncode}): {log.read_text()[-3000:]}")
        try:
            httpx.get(url, timeout=1, **kwargs)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer: {log.read_text()[-3000:]}")


@pytest.fixture
def api_server(settings, tmp_path):
    port = free_port()
    log = tmp_path / "uvicorn.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "backend.cli", "serve", "--host", "127.0.0.1", "--port",
                                 str(port)], cwd=ROOT, env=worker_environment(settings), stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", proc, log)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def nginx_proxy(api_server, tmp_path):
    http_port, https_port = free_port(), free_port()
    cert, key = self_signed_certificate(tmp_path)
    site = (ROOT / "deploy" / "nginx" / "automana.conf").read_text()
    site = (site.replace("server backend:8000;", f"server 127.0.0.1:{api_server};")
                .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
                .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
                .replace("/etc/nginx/certs/fullchain.pem", str(cert))
                .replace("/etc/nginx/certs/privkey.pem", str(key))
                .replace("/etc/nginx/conf.d/automana_proxy.inc", str(ROOT / "deploy" / "nginx" / "automana_proxy.inc")))
    (tmp_path / "site.conf").write_text(site)
    for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / folder).mkdir()
    (tmp_path / "nginx.conf").write_text(f"""
user root;
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/client_body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/site.conf;
}}
""")
    check = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    log = tmp_path / "error.log"
    proc = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")])
    try:
        wait_for(f"http://127.0.0.1:{http_port}/health", proc, log)
        yield http_port, https_port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_nginx_fronts_the_api(nginx_proxy):
    http_port, https_port = nginx_proxy
    health = httpx.get(f"http://127.0.0.1:{http_port}/health")
    assert health.status_code == 200 and health.json()["data"]["status"] == "alive"

    redirect = httpx.get(f"http://127.0.0.1:{http_port}/api/logs/")
    assert redirect.status_code == 301
    assert redirect.headers["location"].startswith("https://")

    with httpx.Client(verify=False, base_url=f"https://127.0.0.1:{https_port}") as https:
        ready = https.get("/ready")
        assert ready.status_code == 200
        assert ready.json()["data"]["postgres"] == "ok"
        # nginx generates the request id; the API echoes it and puts it in error bodies
        missing = https.get("/api/nothing-here")
        assert missing.status_code == 404
        assert missing.json()["request_id"] == missing.headers["x-request-id"]
        assert missing.headers["strict-transport-security"].startswith("max-age=")
        # The app's headers come through; neither nginx nor uvicorn names itself.
        assert missing.headers["x-content-type-options"] == "nosniff"
        assert "uvicorn" not in missing.headers.get("server", "") and "/" not in missing.headers.get("server", "")
        # nginx refuses bodies over the app's own limits before the backend sees them...
        too_big = https.post("/api/catalog/mtg/card-reference/batch", content=b" " * (2 * 1024 * 1024),
                             headers={"content-type": "application/json"})
        assert too_big.status_code == 413
        # ...while an upload route takes more (here refused by the app: no credentials).
        upload = https.post("/api/catalog/mtg/set-reference/upload-file",
                            content=b"[" + b" " * (2 * 1024 * 1024) + b"]", headers={"content-type": "application/json"})
        assert upload.status_code == 401
