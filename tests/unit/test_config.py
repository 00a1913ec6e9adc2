"""Settings: good values load, bad ones name the variable in one line."""

from __future__ import annotations

import pytest

from bot.config import ANONYMOUS_GROUP_ADMIN_ID, SettingsError, derive_file_url, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: pytest.TempPathFactory) -> None:
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_URL",
        "TELEGRAM_FILE_URL",
        "DATABASE_URL",
        "ADMIN_IDS",
        "DEFAULT_TIMEZONE",
        "LOG_LEVEL",
        "COURSE_FEEDS",
        "AUTO_MIGRATE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = load_settings()
    assert settings.telegram_bot_token is None
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert settings.telegram_file_url == "https://api.telegram.org/file/bot"
    assert settings.database_url == "sqlite+aiosqlite:///cme.db"
    assert settings.migrate_on_start is True
    assert settings.admin_ids == frozenset()


def test_values_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCdef_ghi")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1/test")
    monkeypatch.setenv("ADMIN_IDS", " 11, 22 ,33")
    monkeypatch.setenv("DEFAULT_TIMEZONE", "America/Chicago")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("COURSE_FEEDS", "https://a.example/feed.ics, https://b.example/c.json")
    settings = load_settings()
    assert settings.telegram_bot_token == "123456:ABCdef_ghi"
    assert settings.telegram_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.admin_ids == frozenset({11, 22, 33})
    assert settings.log_level == "DEBUG"
    assert settings.migrate_on_start is False
    assert len(settings.course_feeds) == 2


def test_dotenv_file_is_read(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".env").write_text("ADMIN_IDS=5\nDEFAULT_TIMEZONE=Europe/Zurich\n")
    settings = load_settings()
    assert settings.admin_ids == frozenset({5})
    assert settings.default_timezone == "Europe/Zurich"


def test_anonymous_group_admin_is_never_an_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", f"7,{ANONYMOUS_GROUP_ADMIN_ID}")
    assert load_settings().admin_ids == frozenset({7})


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DATABASE_URL", "not a url", "DATABASE_URL"),
        ("DATABASE_URL", "mysql://root@localhost/db", "not supported"),
        ("DATABASE_URL", "sqlite:///cme.db", "not supported"),
        ("ADMIN_IDS", "12,abc", "'abc' is not a Telegram user id"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "not an IANA time zone"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
        ("TELEGRAM_BOT_TOKEN", "no-colon", "@BotFather"),
        ("TELEGRAM_API_URL", "ftp://x", "http://"),
        ("COURSE_FEEDS", "file:///etc/passwd", "COURSE_FEEDS"),
        ("CONCURRENT_UPDATES", "0", "CONCURRENT_UPDATES"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert variable in message and expected in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("api", "files"),
    [
        ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
        ("http://host/prefix/bot/", "http://host/prefix/file/bot"),
        ("http://host/api", "http://host/api/file/bot"),
    ],
)
def test_file_url_follows_api_url(api: str, files: str) -> None:
    assert derive_file_url(api) == files


def test_env_example_documents_every_setting_and_loads_as_is(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from bot.config import Settings

    example = Path(__file__).resolve().parents[2] / ".env.example"
    lines = example.read_text().splitlines()
    documented = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
    assert documented == {name.upper() for name in Settings.model_fields}
    for index, line in enumerate(lines):
        if line and not line.startswith("#"):
            assert lines[index - 1].startswith("#"), f"{line} has no comment line"
    (tmp_path / ".env").write_text(example.read_text())
    load_settings()  # a copied .env.example is valid as it stands


def test_the_certificates_folder_is_made_or_refused_at_start(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """QA round 11: /proc/nonexistent/x was accepted, and the first upload then failed."""
    made = load_settings(certificates_dir=str(tmp_path / "certificates")).certificates_dir
    assert made is not None and made.is_dir()
    (tmp_path / "a-file").write_text("x")
    for bad, why in [
        ("/proc/nonexistent/x", "does not exist, nor does the folder /proc/nonexistent"),
        (str(tmp_path / "a-file"), "is not a folder"),
        ("/proc/certificates", "cannot create /proc/certificates"),
    ]:
        with pytest.raises(SettingsError, match="invalid setting CERTIFICATES_DIR") as caught:
            load_settings(certificates_dir=bad)
        assert why in str(caught.value)
