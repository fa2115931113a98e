"""localstripe with the smallest stateful additions our billing tests need.

localstripe (PyPI) speaks the old Plans API and has no Prices, Checkout Sessions, Billing
Portal or trials. This module adds, as an aiohttp middleware in front of its routes:

- ``/v1/prices`` (create, retrieve, list by ``lookup_keys``, update): each price is also
  stored as a localstripe Plan with the same id, so subscriptions and invoices work;
  ``transfer_lookup_key`` moves a lookup key to the new price, as Stripe does.
- ``/v1/subscriptions`` create and update: ``items[][price]`` is translated to the plan,
  (the ``customer.subscription.created`` event localstripe sends shows the trial too),
  ``proration_behavior`` to localstripe's ``prorate``, and ``trial_period_days`` gives a
  ``trialing`` subscription with ``trial_start``/``trial_end``; items carry ``price``.
- ``/v1/checkout/sessions`` and ``/v1/billing_portal/sessions``: stored sessions with a URL.

Run: ``python -m tests.localstripe_ext --port N`` (binds 127.0.0.1).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from aiohttp import web
from localstripe import resources
from localstripe.resources import Plan, Subscription, random_id
from localstripe.server import app, get_post_data, json_response, unflatten_data

_prices: dict[str, dict[str, Any]] = {}
_sessions: dict[str, dict[str, Any]] = {}
BASE = {"url": "http://127.0.0.1"}


def _price_export(price: dict[str, Any]) -> dict[str, Any]:
    return dict(price)


async def _create_price(request: web.Request) -> web.Response:
    data = await get_post_data(request) or {}
    recurring = data.get("recurring") or {}
    price_id = "price_" + random_id(14)
    amount = int(data["unit_amount"])
    Plan(id=price_id, amount=amount, currency=data["currency"], product=data["product"],
         interval=recurring.get("interval", "month"), metadata=data.get("metadata") or {})
    lookup_key = data.get("lookup_key")
    if lookup_key and str(data.get("transfer_lookup_key")).lower() == "true":
        for other in _prices.values():
            if other.get("lookup_key") == lookup_key:
                other["lookup_key"] = None
    price = {"id": price_id, "object": "price", "active": True, "currency": data["currency"],
             "unit_amount": amount, "product": data["product"], "lookup_key": lookup_key,
             "metadata": data.get("metadata") or {}, "type": "recurring",
             "recurring": {"interval": recurring.get("interval", "month"), "interval_count": 1},
             "created": int(time.time()), "livemode": False}
    _prices[price_id] = price
    return json_response(price)


def _list(data: list[dict[str, Any]], url: str) -> web.Response:
    return json_response({"object": "list", "data": data, "has_more": False, "url": url})


async def _list_prices(request: web.Request) -> web.Response:
    query = unflatten_data(request.query)
    keys = query.get("lookup_keys")
    keys = [keys] if isinstance(keys, str) else keys
    found = [p for p in _prices.values() if not keys or p.get("lookup_key") in keys]
    if "active" in query:
        found = [p for p in found if str(p["active"]).lower() == str(query["active"]).lower()]
    return _list(found, "/v1/prices")


async def _update_price(request: web.Request, price_id: str) -> web.Response:
    data = await get_post_data(request) or {}
    price = _prices.get(price_id)
    if price is None:
        return json_response({"error": {"message": "No such price", "type": "invalid_request_error"}},
                             status=404)
    for key in ("active", "lookup_key", "metadata", "nickname"):
        if key in data:
            price[key] = (str(data[key]).lower() == "true") if key == "active" else data[key]
    return json_response(price)


def _subscription_export(sub: Subscription) -> dict[str, Any]:
    body: dict[str, Any] = sub._export()
    for item in body.get("items", {}).get("data", []):
        plan_id = (item.get("plan") or {}).get("id")
        if plan_id in _prices:
            item["price"] = _prices[plan_id]
        item.setdefault("current_period_end", body.get("current_period_end"))
    return body


def _translate_items(data: dict[str, Any], update: bool) -> None:
    for item in data.get("items") or []:
        if "price" in item:
            item["plan"] = item.pop("price")
    if update and "proration_behavior" in data:  # localstripe's update knows only ``prorate``
        data["prorate"] = data.pop("proration_behavior") == "create_prorations"


async def _create_subscription(request: web.Request) -> web.Response:
    data = await get_post_data(request) or {}
    _translate_items(data, update=False)
    trial_days = data.get("trial_period_days")
    sub = Subscription._api_create(**data)
    if trial_days is not None:
        now = int(time.time())
        sub.trial_start = now
        sub.trial_end = now + int(trial_days) * 86400
        sub.status = "trialing"
        # localstripe captured the object in its "created" event before the trial was set:
        # refresh it, since the webhook is sent a second later from that capture.
        for key, event in list(resources.store.items()):
            if (key.startswith("event:") and event.type == "customer.subscription.created"
                    and event.data["object"]["id"] == sub.id):
                event.data = {"object": _subscription_export(sub)}
    return json_response(_subscription_export(sub))


async def _update_subscription(request: web.Request, sub_id: str) -> web.Response:
    data = await get_post_data(request) or {}
    _translate_items(data, update=True)
    sub = Subscription._api_update(sub_id, **data)
    return json_response(_subscription_export(sub))


async def _create_session(request: web.Request, kind: str) -> web.Response:
    data = await get_post_data(request) or {}
    prefix = "cs_test_" if kind == "checkout.session" else "bps_"
    session_id = prefix + random_id(24)
    path = "checkout" if kind == "checkout.session" else "billing_portal"
    session = {"id": session_id, "object": kind, "customer": data.get("customer"),
               "url": f"{BASE['url']}/{path}/{session_id}", "livemode": False,
               "created": int(time.time())}
    if kind == "checkout.session":
        session.update(mode=data.get("mode"), status="open", success_url=data.get("success_url"),
                       cancel_url=data.get("cancel_url"), currency=data.get("currency"))
    else:
        session["return_url"] = data.get("return_url")
    _sessions[session_id] = session
    return json_response(session)


@web.middleware
async def extensions(request: web.Request, handler: Any) -> web.StreamResponse:
    path, method = request.path, request.method
    parts = path.strip("/").split("/")
    if path == "/v1/prices":
        return await (_create_price(request) if method == "POST" else _list_prices(request))
    if len(parts) == 3 and parts[:2] == ["v1", "prices"]:
        if method == "GET":
            price = _prices.get(parts[2])
            return json_response(price) if price else json_response({"error": {"message": "No such price"}},
                                                                     status=404)
        return await _update_price(request, parts[2])
    if path == "/v1/subscriptions" and method == "POST":
        return await _create_subscription(request)
    if len(parts) == 3 and parts[:2] == ["v1", "subscriptions"]:
        if method == "POST":
            return await _update_subscription(request, parts[2])
        if method == "GET":
            return json_response(_subscription_export(Subscription._api_retrieve(parts[2])))
    if path == "/v1/checkout/sessions" and method == "POST":
        return await _create_session(request, "checkout.session")
    if path == "/v1/billing_portal/sessions" and method == "POST":
        return await _create_session(request, "billing_portal.session")
    if len(parts) == 4 and parts[:3] == ["v1", "checkout", "sessions"] and parts[3] in _sessions:
        return json_response(_sessions[parts[3]])
    response: web.StreamResponse = await handler(request)
    return response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    BASE["url"] = f"http://127.0.0.1:{args.port}"
    resources.store.clear()
    resources.Store.dump_to_disk = lambda self: None  # no /tmp pickle
    # After localstripe's own error and auth middlewares: unauthenticated calls stay 401.
    app.middlewares.append(extensions)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
