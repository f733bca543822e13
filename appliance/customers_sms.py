"""REG / DAFTAR by SMS: a customer tells the shop their name."""

from __future__ import annotations

from .conversation import Conversation, on_keyword, on_reply, templates
from .customers import CustomerError, clean_name, update_profile

templates({
    "reg_done": {
        "id": "{shop}: terima kasih, Kak {name}. Data Anda sudah tersimpan.",
        "en": "{shop}: thank you, {name}. Your name is saved.",
    },
    "reg_ask": {
        "id": "{shop}: silakan ketik DAFTAR dan nama Anda, contoh: DAFTAR Sari Wulandari.",
        "en": "{shop}: please text REG and your name, for example: REG Sari Wulandari.",
    },
    "reg_bad": {
        "id": "{shop}: maaf, nama itu tidak bisa kami simpan. Ketik DAFTAR dan nama Anda (huruf saja).",
        "en": "{shop}: sorry, we cannot save that name. Text REG and your name (letters only).",
    },
}, purpose="basics")


@on_keyword("REG")
def _register(c: Conversation):
    if not c.args.strip():
        c.remember("reg.name", {})
        return [c.reply("reg_ask")]
    return save_name(c, c.args)


@on_reply("reg.name")
def _register_answer(c: Conversation):
    c.forget()
    return save_name(c, c.text)


def save_name(c: Conversation, raw: str):
    try:
        name = clean_name(raw)
    except CustomerError:
        return [c.reply("reg_bad")]
    update_profile(c.customer, name=name, now=c.now)
    return [c.reply("reg_done", name=name)]
