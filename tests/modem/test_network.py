"""The customer side of the simulated network: what phones received, read by
`loket sim` and the tests while the worker appends to it."""

from __future__ import annotations

import os

from appliance.modem.network import SimNetwork


def test_each_phone_reads_its_own_texts_in_order_whatever_way_its_number_is_written(tmp_path):
    network = SimNetwork(tmp_path / "net")
    assert network.received("+6281234500001") == []  # nothing delivered yet, not even the file
    network.deliver("+6281234500001", "Nomor antrian Anda 1")
    network.deliver("+6281234500002", "Pesanan O-1001 dikirim")
    network.deliver("6281234500001", "Sekarang giliran Anda")
    reader = SimNetwork(tmp_path / "net")  # `loket sim` in another process
    assert [m["text"] for m in reader.received("+6281234500001")] == ["Nomor antrian Anda 1", "Sekarang giliran Anda"]
    assert [m["text"] for m in reader.received("+6281234500002")] == ["Pesanan O-1001 dikirim"]
    network.deliver("+6281234500002", "Pesanan O-1001 sampai")  # read on the next call, not from the start again
    assert len(reader.received("+6281234500002")) == 2


def test_a_line_half_written_waits_and_one_cut_by_a_crash_is_skipped(tmp_path):
    network = SimNetwork(tmp_path / "net")
    network.deliver("+628111", "satu")
    with open(network.delivered, "ab") as fh:
        fh.write(b'{"to": "+628111", "text": "du')  # the worker is in the middle of its write()
    assert [m["text"] for m in network.received("+628111")] == ["satu"]
    with open(network.delivered, "ab") as fh:
        fh.write(b'a"}\n')
    assert [m["text"] for m in network.received("+628111")] == ["satu", "dua"]
    with open(network.delivered, "ab") as fh:
        fh.write(b'{"to": "+628111", "te\n')  # cut short by a crash, then the next text
    network.deliver("+628111", "tiga")
    assert [m["text"] for m in network.received("+628111")] == ["satu", "dua", "tiga"]


def test_a_cleared_network_is_read_afresh(tmp_path):
    network = SimNetwork(tmp_path / "net")
    network.deliver("+628111", "lama")
    assert len(network.received("+628111")) == 1
    os.unlink(network.delivered)
    assert network.received("+628111") == []
    network.deliver("+628111", "baru")
    assert [m["text"] for m in network.received("+628111")] == ["baru"]
