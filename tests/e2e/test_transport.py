"""Both Bot API clients (aiohttp, the default, and PTB's httpx) carry every kind of call.

Through the real bot: text replies, a button press (answer + edit), a file the bot
downloads (a certificate) and files it uploads (transcript PDF + CSV, multipart); and the
error mapping python-telegram-bot relies on (dropped connection -> NetworkError, slow
answer -> TimedOut, 502 -> NetworkError after PTB reads it).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.sandbox.server import BotApiSandbox
from bot.transport import AiohttpRequest, bot_api_request
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_credits_flow import confirm, onboard
from tests.reports.certificates import ACCME, certificate_pdf

CLIENTS = ["aiohttp", "httpx"]


@pytest.fixture(params=CLIENTS)
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {"bot_api_client": request.param}


async def test_every_kind_of_call(bot: BotUnderTest) -> None:
    ana = bot.user(1001, "Łukasz", last_name="Nowak")
    await onboard(ana)
    await ana.send('/log 10 ethics "Ethics in practice" on Oct 1')
    await confirm(ana)  # a button press: answerCallbackQuery + editMessageText

    await ana.upload("accme-certificate.pdf", certificate_pdf(ACCME), "application/pdf")
    assert "I read your certificate" in (await ana.next_reply()).text  # getFile + download
    assert "2.5 credits" in (await ana.next_reply()).text

    await ana.send("/transcript")  # two multipart uploads
    pdf_message, csv_message = await ana.next_reply(), await ana.next_reply()
    assert pdf_message.document_file is not None
    assert pdf_message.document_file.data.startswith(b"%PDF")
    assert csv_message.document_file is not None
    assert "Ethics in practice" in csv_message.document_file.data.decode("utf-8-sig")


def _send(chat_id: int, text: str) -> RequestData:
    return RequestData(
        [RequestParameter.from_input(k, v) for k, v in (("chat_id", chat_id), ("text", text))]
    )


@pytest.mark.parametrize("client", CLIENTS)
async def test_failures_map_to_ptb_errors(client: str) -> None:
    async with BotApiSandbox() as sandbox:
        sandbox.user(7, "Ana")
        request = bot_api_request(client, pool=2, read_timeout=5)
        url = f"{sandbox.base_url}{sandbox.token}/sendMessage"
        async with request:
            status, payload = await request.do_request(url, "POST", _send(7, "hello"))
            assert status == 200 and b'"ok":true' in payload.replace(b" ", b"")

            sandbox.faults.drop_rate = 1.0
            with pytest.raises(NetworkError):
                await request.do_request(url, "POST", _send(7, "dropped"))
            sandbox.faults.drop_rate = 0.0

            sandbox.faults.error_rate = 1.0
            status, _ = await request.do_request(url, "POST", _send(7, "502"))
            assert status == 502  # PTB's BaseRequest turns it into NetworkError

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, bot_api_request(client, pool=1, read_timeout=0.3) as request:
        with pytest.raises(TimedOut):
            await request.do_request(f"http://127.0.0.1:{port}/x", "POST", _send(7, "slow"))


async def test_an_unopened_client_says_so() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/x", "POST")
    await request.shutdown()  # closing what never opened is harmless
    await asyncio.sleep(0)
