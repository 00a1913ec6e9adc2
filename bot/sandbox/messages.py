"""Messages the bot sends, edits and deletes: sendMessage, sendDocument, editMessageText...

Why: these are what users see; each is recorded as a live :class:`SentMessage` and answered
with a Message object complete enough for PTB's ``de_json``.
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.params import Params, UploadedFile
from bot.sandbox.records import ChatEvent, Edit, SentFile, SentMessage, bad_request
from bot.sandbox.registry import method
from bot.sandbox.state import ChatLog, SandboxState, image_size, photo_size
from bot.sandbox.validation import reply_markup, visible_text

_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def target_chat(core: SandboxState, p: Params) -> ChatLog:
    if p.raw("chat_id") in (None, ""):
        raise bad_request("chat_id is empty")
    return core.require_chat(p.raw("chat_id"))


def _reply_to(log: ChatLog, p: Params) -> int | None:
    params = p.json("reply_parameters") or {}
    target = p.integer("reply_to_message_id") or (
        params.get("message_id") if isinstance(params, dict) else None
    )
    if target is None:
        return None
    target = int(target)
    if target in log.incoming or (target in log.by_id and not log.by_id[target].deleted):
        return target
    allow = p.flag("allow_sending_without_reply") or bool(params.get("allow_sending_without_reply"))
    if allow:
        return None
    raise bad_request("message to be replied not found")


# -- message records ----------------------------------------------------------------------
def file_object(stored: SentFile) -> dict[str, Any]:
    """A Document object."""
    document: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return document


def message_payload(core: SandboxState, log: ChatLog, msg: SentMessage) -> dict[str, Any]:
    """The Message object Telegram would return for ``msg`` in its current state."""
    payload: dict[str, Any] = {
        "message_id": msg.message_id,
        "date": msg.date,
        "chat": log.chat,
        "from": core.bot_user,
    }
    if log.chat["type"] == "channel":
        payload["sender_chat"] = log.chat
    if msg.text is not None:
        payload["text"] = msg.text
        if msg.entities:
            payload["entities"] = msg.entities
    if msg.caption is not None:
        payload["caption"] = msg.caption
        if msg.entities:
            payload["caption_entities"] = msg.entities
    if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
        payload["reply_markup"] = msg.reply_markup
    if msg.document_file:
        payload["document"] = file_object(msg.document_file)
    if msg.photo_file:
        payload["photo"] = [photo_size(msg.photo_file)]
    if msg.location:
        payload["location"] = {"latitude": msg.location[0], "longitude": msg.location[1]}
    if msg.venue:
        payload["venue"] = msg.venue
    if msg.edits:
        payload["edit_date"] = core.now_date()
    if msg.reply_to_message_id is not None:
        target = log.incoming.get(msg.reply_to_message_id)
        if target is None and msg.reply_to_message_id in log.by_id:
            target = log.by_id[msg.reply_to_message_id].payload
        if target is not None:
            payload["reply_to_message"] = {
                k: v for k, v in target.items() if k != "reply_to_message"
            }
    return payload


def record(
    core: SandboxState, log: ChatLog, method_name: str, p: Params, **fields: Any
) -> dict[str, Any]:
    """Store a new bot message, emit it to waiters and return its Message object."""
    msg = SentMessage(
        message_id=log.take_message_id(),
        chat_id=int(log.chat["id"]),
        method=method_name,
        date=core.now_date(),
        sent_at=core.monotonic(),
        parse_mode=p.string("parse_mode"),
        reply_to_message_id=_reply_to(log, p),
        **fields,
    )
    msg.payload = message_payload(core, log, msg)
    log.sent.append(msg)
    log.by_id[msg.message_id] = msg
    core.emit(log, ChatEvent("message", msg))
    return msg.payload


def _editable(core: SandboxState, p: Params) -> tuple[ChatLog, SentMessage]:
    if p.string("inline_message_id"):
        raise bad_request("message to edit not found")
    log = target_chat(core, p)
    message_id = p.integer("message_id", missing="message identifier is not specified")
    msg = log.by_id.get(message_id) if message_id is not None else None
    if msg is None or msg.deleted:
        if message_id in log.incoming:
            raise bad_request("message can't be edited")
        raise bad_request("message to edit not found")
    return log, msg


def _apply_edit(
    core: SandboxState, log: ChatLog, msg: SentMessage, method_name: str, **changes: Any
) -> dict[str, Any]:
    previous = msg.shown_text
    for key, value in changes.items():
        setattr(msg, key, value)
    edit = Edit(msg, method_name, msg.shown_text, msg.reply_markup, previous, core.monotonic())
    msg.edits.append(edit)
    msg.payload = message_payload(core, log, msg)
    core.emit(log, ChatEvent("edit", msg, edit))
    return msg.payload


@method("sendMessage")
def send_message(core: SandboxState, p: Params) -> dict[str, Any]:
    log = target_chat(core, p)
    text, raw, entities = visible_text(p, "text", limit=4096, required=True)
    return record(
        core,
        log,
        "sendMessage",
        p,
        text=text,
        raw_text=raw,
        entities=entities,
        reply_markup=reply_markup(p),
    )


def _upload(core: SandboxState, p: Params, field: str, kind: str) -> SentFile:
    given = p.file(field)
    if given is None:
        raise bad_request(f"there is no {field} in the request")
    if isinstance(given, UploadedFile):
        if not given.data:
            raise bad_request("file must be non-empty")
        if kind == "photos" and image_size(given.data) == (0, 0):
            raise bad_request("IMAGE_PROCESS_FAILED")
        return core.store_file(given.data, given.file_name, given.mime_type, kind)
    known = core.file_by_id(given)
    if known is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return known


@method("sendDocument")
def send_document(core: SandboxState, p: Params) -> dict[str, Any]:
    log = target_chat(core, p)
    caption, raw, entities = visible_text(p, "caption", limit=1024, required=False)
    stored = _upload(core, p, "document", "documents")
    return record(
        core,
        log,
        "sendDocument",
        p,
        caption=caption,
        raw_caption=raw,
        entities=entities,
        document_file=stored,
        reply_markup=reply_markup(p),
    )


@method("sendPhoto")
def send_photo(core: SandboxState, p: Params) -> dict[str, Any]:
    log = target_chat(core, p)
    caption, raw, entities = visible_text(p, "caption", limit=1024, required=False)
    stored = _upload(core, p, "photo", "photos")
    return record(
        core,
        log,
        "sendPhoto",
        p,
        caption=caption,
        raw_caption=raw,
        entities=entities,
        photo_file=stored,
        reply_markup=reply_markup(p),
    )


def _coordinates(p: Params) -> tuple[float, float]:
    latitude = p.number("latitude", missing="latitude is empty")
    longitude = p.number("longitude", missing="longitude is empty")
    assert latitude is not None and longitude is not None
    if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
        raise bad_request("wrong location specified")
    return latitude, longitude


@method("sendLocation")
def send_location(core: SandboxState, p: Params) -> dict[str, Any]:
    log = target_chat(core, p)
    return record(
        core, log, "sendLocation", p, location=_coordinates(p), reply_markup=reply_markup(p)
    )


@method("sendVenue")
def send_venue(core: SandboxState, p: Params) -> dict[str, Any]:
    log = target_chat(core, p)
    latitude, longitude = _coordinates(p)
    venue = {
        "location": {"latitude": latitude, "longitude": longitude},
        "title": p.string("title", missing="venue title is empty"),
        "address": p.string("address", missing="venue address is empty"),
    }
    return record(
        core,
        log,
        "sendVenue",
        p,
        location=(latitude, longitude),
        venue=venue,
        reply_markup=reply_markup(p),
    )


@method("editMessageText")
def edit_message_text(core: SandboxState, p: Params) -> dict[str, Any]:
    log, msg = _editable(core, p)
    if msg.text is None:
        raise bad_request("there is no text in the message to edit")
    text, raw, entities = visible_text(p, "text", limit=4096, required=True)
    markup = reply_markup(p)
    if (text, entities, markup) == (msg.text, msg.entities, msg.reply_markup):
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(
        core,
        log,
        msg,
        "editMessageText",
        text=text,
        raw_text=raw,
        entities=entities,
        reply_markup=markup,
        parse_mode=p.string("parse_mode"),
    )


@method("editMessageCaption")
def edit_message_caption(core: SandboxState, p: Params) -> dict[str, Any]:
    log, msg = _editable(core, p)
    if msg.text is not None:
        raise bad_request("there is no caption in the message to edit")
    caption, raw, entities = visible_text(p, "caption", limit=1024, required=False)
    markup = reply_markup(p)
    if (caption, entities, markup) == (msg.caption, msg.entities, msg.reply_markup):
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(
        core,
        log,
        msg,
        "editMessageCaption",
        caption=caption,
        raw_caption=raw,
        entities=entities,
        reply_markup=markup,
    )


@method("editMessageReplyMarkup")
def edit_message_reply_markup(core: SandboxState, p: Params) -> dict[str, Any]:
    log, msg = _editable(core, p)
    markup = reply_markup(p)
    if markup == msg.reply_markup:
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(core, log, msg, "editMessageReplyMarkup", reply_markup=markup)


@method("deleteMessage")
def delete_message(core: SandboxState, p: Params) -> bool:
    log = target_chat(core, p)
    message_id = p.integer("message_id", missing="message identifier is not specified")
    msg = log.by_id.get(message_id) if message_id is not None else None
    if msg is not None and not msg.deleted:
        msg.deleted = True
        core.emit(log, ChatEvent("delete", msg))
        return True
    if message_id in log.incoming:
        del log.incoming[message_id]
        return True
    raise bad_request("message to delete not found")


@method("sendChatAction")
def send_chat_action(core: SandboxState, p: Params) -> bool:
    log = target_chat(core, p)
    action = p.string("action", missing="wrong parameter action in request")
    if action not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    log.actions.append(action)
    return True
