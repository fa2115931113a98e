"""Fixtures of the pharma lab tests: a lab tenant with a QA member, and a tenant without
the plugin to show that core behaves as before there."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.pharma_lab.support import Lab, lab_tenant, store, with_qa
from tests.support import TenantHandle, sign_up


@pytest.fixture
def lab(http: httpx.Client, owner_engine: Any) -> Lab:
    return with_qa(lab_tenant(http), owner_engine)


@pytest.fixture
def plain(http: httpx.Client) -> TenantHandle:
    """A tenant without the plugin, with the same store."""
    tenant = sign_up(http, "Plain Co")
    store(tenant)
    return tenant
