# The iep-rules HTTP service. Build: docker build -t iep-rules .
# Run (published on this host's loopback only; put a TLS proxy in front for other machines):
#   docker run --rm -p 127.0.0.1:8000:8000 -e IEP_RULES_API_KEY_FILE=/run/secrets/iep_key \
#     -v "$PWD/key.txt:/run/secrets/iep_key:ro" iep-rules
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY iep_rules ./iep_rules
COPY rules ./rules
RUN pip install --no-compile '.[service]' && rm -rf /app/iep_rules /app/rules

# No root, no writable state: the service stores nothing.
RUN useradd --system --uid 10001 --no-create-home iep
USER iep

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
# Inside the container the service must listen on all of the container's interfaces; what
# the host exposes is decided by `docker run -p` (see above).
CMD ["iep-rules", "serve", "--host", "0.0.0.0", "--port", "8000"]
