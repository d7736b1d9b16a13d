"""Configuration: read from the environment when the factory runs, derived from REDIS_URL."""

from __future__ import annotations

import pytest

from webapp import create_app
from webapp.config import load_config
from webapp.redis_client import limiter_storage, target_from


def test_everything_derives_from_redis_url() -> None:
    config = load_config({"REDIS_URL": "redis://cache:6380/2"})
    assert config["CELERY"]["broker_url"] == "redis://cache:6380/2"
    assert config["CELERY"]["result_backend"] == "redis://cache:6380/2"


def test_the_broker_can_be_rabbitmq() -> None:
    config = load_config({"REDIS_URL": "redis://cache/0", "CELERY_BROKER_URL": "amqp://guest:guest@mq:5672//"})
    assert config["CELERY"]["broker_url"] == "amqp://guest:guest@mq:5672//"
    assert config["CELERY"]["result_backend"] == "redis://cache/0"


def test_reliability_defaults() -> None:
    celery = load_config({})["CELERY"]
    assert celery["task_acks_late"] and celery["task_reject_on_worker_lost"]
    assert celery["worker_prefetch_multiplier"] == 1
    assert celery["broker_transport_options"]["visibility_timeout"] > celery["task_time_limit"]
    assert celery["task_soft_time_limit"] < celery["task_time_limit"]


def test_limits_are_configurable() -> None:
    config = load_config({"MAX_HTML_BYTES": "1000", "RESULT_TTL": "60", "ALLOWED_HOSTS": "a.example, B.example"})
    assert config["MAX_HTML_BYTES"] == 1000
    assert config["MAX_CONTENT_LENGTH"] > 1000
    assert config["RESULT_TTL"] == 60
    assert config["ALLOWED_HOSTS"] == frozenset({"a.example", "b.example"})


def test_bursts_are_queued_by_default_and_bounded_by_the_queue() -> None:
    config = load_config({})
    assert config["RATE_LIMIT"] == "", "per-client limits are opt-in"
    assert config["MAX_QUEUED_JOBS"] == 1000
    assert config["TRUSTED_PROXY_COUNT"] == 0, "X-Forwarded-For is ignored unless proxies are trusted"


def test_a_bad_number_says_which_setting() -> None:
    with pytest.raises(ValueError, match="RENDER_TIME_LIMIT"):
        load_config({"RENDER_TIME_LIMIT": "five"})


def test_the_factory_reads_the_environment_it_is_given() -> None:
    app = create_app({"REDIS_URL": "redis://elsewhere:1/0"})
    assert app.config["REDIS_URL"] == "redis://elsewhere:1/0"
    assert app.extensions["celery"].conf.broker_url == "redis://elsewhere:1/0"


def test_the_queue_and_the_worker_concurrency_are_configurable() -> None:
    assert load_config({})["CELERY"]["task_default_queue"] == "pdf"
    celery = load_config({"CELERY_QUEUE": "pdf-eu", "WORKER_CONCURRENCY": "3"})["CELERY"]
    assert celery["task_default_queue"] == "pdf-eu"
    assert celery["worker_concurrency"] == 3


def test_sentinel_settings_reach_every_client() -> None:
    config = load_config(
        {
            "REDIS_URL": "redis://:secret@ignored:1/2",
            "REDIS_SENTINELS": "s1:26379, s2:26380",
            "REDIS_MASTER_NAME": "pdf",
        }
    )
    assert config["REDIS_SENTINELS"] == (("s1", 26379), ("s2", 26380))
    celery = config["CELERY"]
    assert (
        celery["broker_url"]
        == celery["result_backend"]
        == "sentinel://:secret@s1:26379/2;sentinel://:secret@s2:26380/2"
    )
    for options in (celery["broker_transport_options"], celery["result_backend_transport_options"]):
        assert options["master_name"] == "pdf"
    uri, options = limiter_storage(target_from(config))
    assert uri == "redis+sentinel://s1:26379,s2:26380/pdf"
    assert options["db"] == 2 and options["password"] == "secret" and options["use_replicas"] is False
    # The Sentinels have no password of their own here: they are not sent the primary's.
    assert options["sentinel_kwargs"]["password"] is None


def test_without_sentinels_nothing_changes() -> None:
    config = load_config({"REDIS_URL": "redis://cache:6380/2"})
    assert config["REDIS_SENTINELS"] == ()
    assert "master_name" not in config["CELERY"]["broker_transport_options"]
    assert limiter_storage(target_from(config)) == ("redis://cache:6380/2", {})


def test_a_malformed_sentinel_list_is_refused() -> None:
    with pytest.raises(ValueError, match="host:port"):
        load_config({"REDIS_SENTINELS": "s1:port"})
