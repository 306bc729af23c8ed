# One image for every Casework process; the command picks the service.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY casework ./casework
COPY contracts ./contracts
COPY gateway ./gateway
COPY services ./services
COPY web ./web
RUN pip install --no-cache-dir .
USER nobody
CMD ["casework", "serve", "gateway"]
