"""The staff UI in Indonesian and English, per user.

Templates write English and call `t("...")`; this catalogue gives the
Indonesian. A string missing here shows in English rather than breaking a
page; a test lists the strings the templates use that have no translation.
"""

from __future__ import annotations

import re

ID = {
    # navigation and common words
    "Dashboard": "Beranda", "Inbox": "Kotak masuk", "Customers": "Pelanggan", "Campaigns": "Kampanye",
    "Draws": "Undian", "Reports": "Laporan", "Settings": "Pengaturan", "Users": "Pengguna",
    "Audit log": "Log audit", "Not sent": "Belum terkirim", "Log out": "Keluar", "Log in": "Masuk",
    "User name": "Nama pengguna", "Password": "Kata sandi", "Search": "Cari", "Save": "Simpan",
    "Cancel": "Batal", "Send": "Kirim", "Reply": "Balas", "Back": "Kembali", "Newer": "Lebih baru",
    "Older": "Lebih lama", "Name": "Nama", "Phone": "Telepon", "Address": "Alamat", "Email": "Email",
    "Notes": "Catatan", "Language": "Bahasa", "Tags": "Label", "Points": "Poin", "Timeline": "Riwayat",
    "Promotions": "Promosi", "Reminders": "Pengingat", "yes": "ya", "no": "tidak", "Status": "Status",
    "Text": "Teks", "Role": "Peran", "When": "Waktu", "Who": "Siapa", "What": "Apa", "Add": "Tambah",
    "Download CSV": "Unduh CSV", "Import": "Impor", "Export": "Ekspor", "Preview": "Pratinjau",
    "Total": "Total", "Today": "Hari ini", "Open": "Buka", "Details": "Rincian", "Reason": "Alasan",
    "waiting for staff": "menunggu staf", "part missing": "ada bagian hilang", "You": "Anda",
    "Send again": "Kirim ulang", "Write a message": "Tulis pesan",
    "No messages yet. When a customer texts the shop, the conversation appears here.":
        "Belum ada pesan. Saat pelanggan mengirim SMS, percakapannya muncul di sini.",
    "characters": "karakter", "parts": "bagian", "part": "bagian",
    # dashboard
    "Modem": "Modem", "Signal": "Sinyal", "Operator": "Operator", "Last contact": "Kontak terakhir",
    "Storage": "Penyimpanan", "Sent today": "Terkirim hari ini", "daily cap": "batas harian",
    "Credit": "Pulsa", "active until": "aktif s.d.", "checked": "dicek",
    "Low credit: top up the SIM.": "Pulsa menipis: isi ulang SIM.",
    "The SIM's active period ends soon: top it up.": "Masa aktif SIM segera habis: isi ulang.",
    "Promotions wait until the credit is topped up.": "Promosi menunggu sampai pulsa diisi ulang.",
    "The last answer was not understood:": "Jawaban terakhir tidak dipahami:",
    "not known yet (the worker asks the operator by USSD)": "belum diketahui (worker menanyakan ke operator lewat USSD)",
    "Failed messages": "Pesan gagal", "Waiting for staff": "Menunggu staf",
    # customers
    "New customer": "Pelanggan baru", "Import customers": "Impor pelanggan", "Adjust points": "Ubah poin",
    "Consent": "Persetujuan", "Profile": "Profil", "Customer saved.": "Pelanggan tersimpan.",
    "Check the file": "Periksa berkas", "Import these rows": "Impor baris ini",
    "added": "ditambah", "updated": "diperbarui", "unchanged": "tidak berubah", "duplicate": "ganda",
    "refused": "ditolak", "Line": "Baris",
    # campaigns and draws
    "New campaign": "Kampanye baru", "Recipients": "Penerima", "Encoding": "Pengodean", "Cost": "Biaya",
    "Send now": "Kirim sekarang", "Schedule": "Jadwalkan", "Progress": "Kemajuan",
    "New draw": "Undian baru", "Publish the commitment": "Terbitkan komitmen", "Run the draw": "Lakukan undian",
    "Notify winners": "Kabari pemenang", "Verify": "Verifikasi", "Winners": "Pemenang", "Entries": "Peserta",
    "Prizes": "Hadiah", "Bookings": "Booking", "Queue": "Antrian", "Tickets": "Tiket", "Orders": "Pesanan",
    # updates
    "Update": "Pembaruan", "Running": "Berjalan", "Installed": "Terpasang", "before it": "sebelumnya",
    "Waiting to be installed": "Menunggu dipasang",
    "The web UI restarts during the switch.": "Tampilan web dimulai ulang saat pergantian.",
    "Last update": "Pembaruan terakhir", "Rolled back": "Dikembalikan", "Refused": "Ditolak", "Steps": "Langkah",
    "Install an update": "Pasang pembaruan", "Check and install": "Periksa dan pasang",
    "An update is a file named loket-<version>-<machine>.bundle. It is checked first (signed by the Loket "
    "release key, nothing damaged, made for this box). It is installed beside the running version; the box "
    "takes a backup, switches, and goes back to this version by itself if the new one does not come up.":
        "Pembaruan adalah berkas bernama loket-<versi>-<mesin>.bundle. Berkas diperiksa dulu (ditandatangani "
        "kunci rilis Loket, tidak rusak, dibuat untuk kotak ini). Versi baru dipasang di samping versi yang "
        "berjalan; kotak membuat cadangan, berganti, dan kembali sendiri ke versi ini bila versi baru tidak "
        "berjalan.",
    "Or put it on the USB stick labelled LOKETBACKUP (or LOKET-BACKUP) in a folder loket-updates: the box "
    "installs it when the stick is plugged in.":
        "Atau taruh di flashdisk berlabel LOKETBACKUP (atau LOKET-BACKUP) dalam folder loket-updates: kotak "
        "memasangnya saat flashdisk dicolok.",
    "This box has no release key (the release_key setting), so it cannot check an update and installs none.":
        "Kotak ini tidak punya kunci rilis (pengaturan release_key), jadi tidak dapat memeriksa pembaruan dan "
        "tidak memasang apa pun.",
}


# The owner's settings (owner=True in appliance/settings.py) on the Settings
# pages: name -> (English, Indonesian). A test keeps it in step with the table.
SETTING_LABELS = {
    "shop_name": ("Name in every SMS", "Nama di setiap SMS"),
    "shop_address": ("Address, for customers who ask where the shop is",
                     "Alamat, untuk pelanggan yang bertanya lokasi toko"),
    "payment_instructions": ("Where to pay, in every SMS asking for payment",
                             "Cara bayar, di setiap SMS yang meminta pembayaran"),
    "timezone": ("Time zone", "Zona waktu"),
    "default_language": ("Language of new customers", "Bahasa pelanggan baru"),
    "quiet_hours": ("Quiet hours (HH:MM-HH:MM, empty for none)", "Jam tenang (JJ:MM-JJ:MM, kosong bila tidak ada)"),
    "daily_cap": ("SMS per SIM per day (0: no cap)", "SMS per SIM per hari (0: tanpa batas)"),
    "rate_per_minute": ("SMS per modem per minute (0: no limit)", "SMS per modem per menit (0: tanpa batas)"),
    "replies_per_hour": ("Automatic replies per phone per hour", "Balasan otomatis per nomor per jam"),
    "sms_price": ("Price of one SMS (Rp)", "Harga satu SMS (Rp)"),
    "booking_offer_slots": ("Times offered in one SMS (1 to 5)", "Jam yang ditawarkan dalam satu SMS (1 sampai 5)"),
    "booking_max_days": ("Bookings at most this many days ahead", "Booking paling lama sekian hari ke depan"),
    "booking_search_days": ("Look this many days ahead for a free time",
                            "Cari jam kosong sampai sekian hari ke depan"),
    "booking_offer_minutes": ("Offered times stand for (minutes)", "Jam yang ditawarkan berlaku selama (menit)"),
    "queue_notify_ahead": ("Tell a customer when this many are ahead",
                           "Kabari pelanggan saat antrian di depannya tinggal"),
    "queue_counters": ("Customers served at once", "Pelanggan yang dilayani bersamaan"),
    "order_unpaid_days": ("Days to pay an order", "Batas hari membayar pesanan"),
    "order_claim_grace_hours": ("Hours to pay right after a rejected payment",
                                "Jam untuk membayar ulang setelah bukti bayar ditolak"),
    "points_per_visit": ("Points per visit", "Poin per kunjungan"),
    "points_per_rupiah": ("1 point per Rp", "1 poin per Rp"),
    "reminder_hours": ("Remind this many hours before a booking (such as 24, 2)",
                       "Ingatkan sekian jam sebelum booking (misalnya 24, 2)"),
    "comeback_hour": ("Come-back reminders from this hour", "Pengingat kembali mulai jam"),
    "comeback_window_days": ("Send a late come-back reminder up to (days)",
                             "Pengingat kembali yang terlambat masih dikirim sampai (hari)"),
    "ticket_first_number": ("Number of the first ticket", "Nomor tiket pertama"),
    "ticket_default_category": ("Category when no words match", "Kategori bila tidak ada kata yang cocok"),
    "ticket_response_minutes": ("First answer within (minutes)", "Jawaban pertama dalam (menit)"),
    "ticket_resolution_minutes": ("Resolved within (minutes)", "Selesai dalam (menit)"),
    "ticket_warn_percent": ("Warn when this % of the time has gone", "Peringatkan saat % waktu ini terpakai"),
    "sim_pin": ("SIM PIN", "PIN SIM"),
    "credit_check_hours": ("Ask the SIM credit every (hours, 0: never)", "Cek pulsa SIM setiap (jam, 0: tidak)"),
    "balance_code": ("Balance code (empty: the operator code)", "Kode cek pulsa (kosong: kode operator)"),
    "credit_warn_below": ("Warn when credit is below (Rp)", "Peringatkan bila pulsa di bawah (Rp)"),
    "credit_warn_days": ("Warn this many days before the SIM active period ends", "Peringatkan sekian hari sebelum masa aktif SIM habis"),
    "missed_call_action": ("A missed call: queue, callback or ignore", "Panggilan tak terjawab: queue (antri), callback (telepon balik) atau ignore (abaikan)"),
}
# The groups of the settings table, as the Settings pages title them.
GROUP_LABELS = {
    "The shop": "Toko", "Sending SMS": "Pengiriman SMS", "Bookings": "Booking", "The waiting queue": "Antrian",
    "Orders": "Pesanan", "Points": "Poin", "Reminders": "Pengingat", "Tickets": "Tiket", "The modem": "Modem",
    "The box": "Kotak", "Staff logins": "Login staf", "Updates": "Pembaruan",
}
ID.update({english: indonesian for english, indonesian in SETTING_LABELS.values()})
ID.update(GROUP_LABELS)
ID["Set in the box's configuration; change it there."] = "Diatur di konfigurasi kotak; ubah di sana."

# Why the settings table refused a value, in Indonesian (its validators speak English).
_REASONS = [
    (r"must be between (\S+) and (\S+)", r"harus antara \1 dan \2"),
    (r"expected a whole number", "harus bilangan bulat"),
    (r"expected a number", "harus angka"),
    (r"expected text", "harus teks"),
    (r"must not be empty", "tidak boleh kosong"),
    (r"expected id or en", "pilih id atau en"),
    (r"unknown time zone (.*) \(try Asia/Jakarta\)", r"zona waktu \1 tidak dikenal (coba Asia/Jakarta)"),
    (r"expected HH:MM-HH:MM, for example 21:00-08:00, or empty for none",
     "tulis JJ:MM-JJ:MM, misalnya 21:00-08:00, atau kosongkan"),
    (r"expected whole hours separated by commas, such as 24, 2", "tulis jam dipisah koma, misalnya 24, 2"),
    (r"hour (\S+): ", r"jam \1: "),
    (r"a SIM PIN has 4 to 8 digits, or empty for none", "PIN SIM terdiri dari 4 sampai 8 angka, atau kosong"),
    (r"expected a USSD code such as \*888#, or empty", "tulis kode USSD seperti *888#, atau kosongkan"),
    (r"expected one of (.*)", r"pilih salah satu: \1"),
]


def reason_in(reason: str, language: str | None) -> str:
    if language != "id":
        return reason
    for pattern, replacement in _REASONS:
        reason = re.sub(pattern, replacement, reason)
    return reason


def translate(text: str, language: str | None) -> str:
    if language == "id":
        return ID.get(text, text)
    return text
