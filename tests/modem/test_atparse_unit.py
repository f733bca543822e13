"""AT reply parsers: hand-made replies, errors, unsolicited codes and garbage."""

from __future__ import annotations

import datetime as dt

import pytest

from appliance.modem import atparse, pdu


def reply(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


# --------------------------------------------------------------------------
# Storage and network
# --------------------------------------------------------------------------


def test_cpms_query_and_set_replies():
    query = reply("AT+CPMS?", '+CPMS: "SM",3,30,"ME",0,100,"SM",3,30', "OK")
    assert atparse.parse_cpms(query) == [
        atparse.Storage("SM", 3, 30), atparse.Storage("ME", 0, 100), atparse.Storage("SM", 3, 30)]
    assert atparse.parse_cpms(reply("+CPMS: 5,50,5,50,5,50", "OK")) == [atparse.Storage(None, 5, 50)] * 3


@pytest.mark.parametrize("line", ['+CPMS: "SM",3', "+CPMS: 31,30", '+CPMS: "SM",x,30'])
def test_cpms_garbage(line):
    with pytest.raises(atparse.ATParseError):
        atparse.parse_cpms(reply(line, "OK"))


def test_cnmi_read():
    assert atparse.parse_cnmi(reply("+CNMI: 2,1,0,2,0", "OK")) == (2, 1, 0, 2, 0)


@pytest.mark.parametrize(
    "line, dbm, percent",
    [("+CSQ: 31,0", -51, 100), ("+CSQ: 0,99", -113, 0), ("+CSQ: 15,3", -83, 48),
     ("+CSQ: 99,99", None, None), ("+CSQ: 150,99", -66, 55)],
)
def test_csq(line, dbm, percent):
    signal = atparse.parse_csq(reply("AT+CSQ", line, "OK"))
    assert (signal.dbm, signal.percent) == (dbm, percent)


@pytest.mark.parametrize("line", ["+CSQ: 45,0", "+CSQ: 10", "+CSQ: 10,9", "+CSQ: a,b"])
def test_csq_garbage(line):
    with pytest.raises(atparse.ATParseError):
        atparse.parse_csq(reply(line, "OK"))


def test_cops():
    assert atparse.parse_cops(reply('+COPS: 0,0,"TELKOMSEL",7', "OK")) == atparse.Operator(0, 0, "TELKOMSEL", 7)
    assert atparse.parse_cops(reply("+COPS: 0", "OK")) == atparse.Operator(0)
    assert atparse.parse_cops(reply('+COPS: 0,2,"51010"', "OK")).name == "51010"
    with pytest.raises(atparse.ATParseError):
        atparse.parse_cops(reply("+COPS: 9", "OK"))


def test_cops_list():
    line = '+COPS: (2,"TELKOMSEL","TSEL","51010",7),(3,"XL Axiata","XL","51011",2),,(0-4),(0-2)'
    assert atparse.parse_cops_list(reply(line, "OK")) == [
        atparse.NetworkChoice(2, "TELKOMSEL", "TSEL", "51010", 7),
        atparse.NetworkChoice(3, "XL Axiata", "XL", "51011", 2),
    ]


@pytest.mark.parametrize(
    "line, expected",
    [
        ('+CCLK: "24/05/17,09:30:05+28"', dt.datetime(2024, 5, 17, 9, 30, 5, tzinfo=dt.timezone(dt.timedelta(hours=7)))),
        ('+CCLK: "24/05/17,09:30:05-22"', dt.datetime(2024, 5, 17, 9, 30, 5,
                                                      tzinfo=dt.timezone(-dt.timedelta(hours=5, minutes=30)))),
        ('+CCLK: "24/05/17,09:30:05+23"', dt.datetime(2024, 5, 17, 9, 30, 5,
                                                      tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=45)))),
        ('+CCLK: "24/05/17,09:30:05"', dt.datetime(2024, 5, 17, 9, 30, 5)),  # no zone: naive
    ],
)
def test_cclk(line, expected):
    got = atparse.parse_cclk(reply("AT+CCLK?", line, "OK"))
    assert got == expected and got.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("line", ['+CCLK: "24/13/17,09:30:05+28"', '+CCLK: "yesterday"', '+CCLK: "24/05/17,09:30:05+99"'])
def test_cclk_garbage(line):
    with pytest.raises(atparse.ATParseError):
        atparse.parse_cclk(reply(line, "OK"))


def test_urc_registration_forms():
    assert atparse.parse_unsolicited("+CREG: 1")["stat"] == 1
    urc = atparse.parse_unsolicited('+CEREG: 5,"1A2B","01ABCDEF",7')
    assert (urc["type"], urc["n"], urc["stat"], urc["lac"], urc["ci"], urc["act"], urc["roaming"]) == (
        "cereg", None, 5, 0x1A2B, 0x01ABCDEF, 7, True)
    assert atparse.parse_unsolicited("+CGREG: 2,1")["n"] == 2  # a read reply passed by mistake
    with pytest.raises(atparse.ATParseError):
        atparse.parse_unsolicited("+CREG: 42")


def test_registration_garbage():
    with pytest.raises(atparse.ATParseError):
        atparse.parse_registration(reply("+CREG: 0,1,\"XYZ\",\"1\"", "OK"))
    with pytest.raises(atparse.ATParseError):
        atparse.parse_registration(reply("hello", "OK"))


# --------------------------------------------------------------------------
# Identity
# --------------------------------------------------------------------------


def test_identity_with_prefix():
    assert atparse.parse_identity(reply("AT+CGMI", "+CGMI: Quectel", "OK")) == "Quectel"
    assert atparse.parse_identity(reply("AT+CGMR", "Revision: EC25EFAR06A03M4G", "OK")) == "Revision: EC25EFAR06A03M4G"


def test_imei_and_imsi():
    assert atparse.parse_imei(reply("AT+CGSN", "866758040123456", "OK")) == "866758040123456"
    assert atparse.parse_imei(reply("+CGSN: \"866758040123456\"", "OK")) == "866758040123456"
    assert atparse.parse_imsi(reply("AT+CIMI", "510101234567890", "OK")) == "510101234567890"
    with pytest.raises(atparse.ATParseError, match="not an IMEI"):
        atparse.parse_imei(reply("AT+CGSN", "ABC", "OK"))
    with pytest.raises(atparse.ATParseError):
        atparse.parse_identity(reply("AT+CGMM", "OK"))


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, kind, code, transient",
    [
        ("+CMS ERROR: 500", "CMS", 500, True),
        ("+CMS ERROR: 330", "CMS", 330, False),
        ("+CMS ERROR: SMSC address unknown", "CMS", 330, False),
        ("+CME ERROR: 10", "CME", 10, False),
        ("+CME ERROR: SIM not inserted", "CME", 10, False),
        ("+CME ERROR: sim busy", "CME", 14, True),
        ("+CME ERROR: something new", "CME", None, False),
        ("ERROR", "ERROR", None, True),
    ],
)
def test_error_codes(line, kind, code, transient):
    error = atparse.parse_error(line)
    assert (error.kind, error.code, error.transient) == (kind, code, transient)
    with pytest.raises(atparse.ATErrorReply) as caught:
        atparse.parse_csq(reply("AT+CSQ", line))
    assert caught.value.error == error
    assert isinstance(caught.value, atparse.ATParseError)


def test_not_an_error():
    assert atparse.parse_error("OK") is None
    assert atparse.parse_error("+CSQ: 1,2") is None


def test_missing_line_is_a_parse_error():
    with pytest.raises(atparse.ATParseError, match=r"no \+CSQ line"):
        atparse.parse_csq(reply("AT+CSQ", "OK"))
    with pytest.raises(atparse.ATParseError, match="must be a string"):
        atparse.parse_csq(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------


def test_cmgl_pdu_mode():
    one = pdu.encode_deliver("+628123", "satu", timestamp=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))[0]
    two = pdu.encode_deliver("+628124", "dua", timestamp=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))[0]
    text = reply("AT+CMGL=4", f"+CMGL: 1,0,,{pdu.tpdu_length(one)}", one,
                 f"+CMGL: 7,1,,{pdu.tpdu_length(two)}", two, "", "OK")
    messages = atparse.parse_cmgl(text)
    assert [(m.index, m.stat, m.pdu) for m in messages] == [(1, "REC UNREAD", one), (7, "REC READ", two)]
    assert [pdu.decode(m.pdu).text for m in messages] == ["satu", "dua"]


def test_cmgl_text_mode():
    text = reply(
        'AT+CMGL="ALL"',
        '+CMGL: 1,"REC UNREAD","+628123",,"24/05/17,09:30:05+28"',
        "BOOK besok",
        "jam 3",
        '+CMGL: 2,"STO SENT","+628124",,',
        "Terima kasih",
        "OK",
    )
    first, second = atparse.parse_cmgl(text)
    assert (first.index, first.stat, first.number, first.text) == (1, "REC UNREAD", "+628123", "BOOK besok\njam 3")
    assert first.timestamp.utcoffset() == dt.timedelta(hours=7)
    assert (second.index, second.stat, second.text) == (2, "STO SENT", "Terima kasih")


def test_cmgl_empty_and_cmgr_empty_slot():
    assert atparse.parse_cmgl(reply("AT+CMGL=4", "OK")) == []
    assert atparse.parse_cmgr(reply("AT+CMGR=9", "OK")) is None


@pytest.mark.parametrize(
    "text",
    [
        reply("+CMGR: 0,,23", "not hex", "OK"),
        reply("+CMGR: 0,,23", "OK"),
        reply("+CMGR: 9,,23", "0011", "OK"),
        reply("+CMGR: 0,,x", "0011", "OK"),
        reply("+CMGR: \"REC SOMETHING\",\"+62\"", "hi", "OK"),
        reply("garbage first", "+CMGR: 0,,23", "0011", "OK"),
        reply("+CMGR: 0,,2", "0011", "+CMGR: 0,,2", "0011", "OK"),
    ],
)
def test_cmgr_garbage(text):
    with pytest.raises(atparse.ATParseError):
        atparse.parse_cmgr(text)


def test_cmgr_error_reply():
    with pytest.raises(atparse.ATErrorReply) as caught:
        atparse.parse_cmgr(reply("AT+CMGR=1", "+CMS ERROR: 321"))
    assert caught.value.error.code == 321


# --------------------------------------------------------------------------
# Unsolicited result codes
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        ('+CMTI: "SM",3', {"type": "cmti", "memory": "SM", "index": 3}),
        ('+CMTI: "ME",12', {"type": "cmti", "memory": "ME", "index": 12}),
        ('+CDSI: "SR",5', {"type": "cdsi", "memory": "SR", "index": 5}),
        ("+CMT: ,23", {"type": "cmt", "alpha": None, "length": 23, "follows": True}),
        ("+CDS: 25", {"type": "cds", "length": 25, "follows": True}),
        ("RING", {"type": "ring"}),
        ("+CRING: VOICE", {"type": "ring", "kind": "VOICE"}),
        ("OK", None),
        ("^RSSI: 12", None),
        ("+CSQ: 12,99", None),
    ],
)
def test_unsolicited(line, expected):
    assert atparse.parse_unsolicited(line + "\r\n") == expected


def test_unsolicited_text_mode():
    cmt = atparse.parse_unsolicited('+CMT: "+628123",,"24/05/17,09:30:05+28"')
    assert (cmt["type"], cmt["number"], cmt["timestamp"].hour) == ("cmt", "+628123", 9)
    cds = atparse.parse_unsolicited('+CDS: 6,77,"+628123",145,"24/05/17,09:30:05+28","24/05/17,09:30:09+28",0')
    assert (cds["message_ref"], cds["status"], cds["discharge_time"].second) == (77, 0, 9)


@pytest.mark.parametrize("line", ['+CMTI: "SM"', "+CMTI: SM,x", "+CMT: 1", "+CDS: a", "+CDS: 1,2,3"])
def test_unsolicited_garbage(line):
    with pytest.raises(atparse.ATParseError):
        atparse.parse_unsolicited(line)
