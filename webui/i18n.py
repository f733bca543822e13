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
    "Send now": "Kirim sekarang",
    "Send to {n} customers, about {cost}?": "Kirim ke {n} pelanggan, ± {cost}?",
    "Yes, send now": "Ya, kirim sekarang", "Not yet": "Belum",
    "Cancel this booking? The customer gets an SMS.": "Batalkan booking ini? Pelanggan akan menerima SMS.",
    "Give {name} a new password? The old one stops working at once.":
        "Beri {name} kata sandi baru? Kata sandi lama langsung tidak berlaku.",
    "Switch {name} off? They are logged out at once.": "Nonaktifkan {name}? Ia langsung keluar dari Loket.",
    "reset password": "atur ulang kata sandi", "switch off": "nonaktifkan", "switch on": "aktifkan",
    "Run the draw now? It cannot be undone.": "Jalankan undian sekarang? Tidak bisa dibatalkan.",
    "Text every winner now?": "Kirim SMS ke semua pemenang sekarang?",
    "Mark {amount} as paid? The customer gets an SMS.": "Tandai {amount} sudah dibayar? Pelanggan akan menerima SMS.",
    "Reject this payment? The customer gets an SMS with the reason.":
        "Tolak pembayaran ini? Pelanggan menerima SMS berisi alasannya.",
    "verify: paid": "cek: sudah bayar", "reject": "tolak",
    "Replace the shop's data with this backup? Everything since the backup is set aside.":
        "Ganti data toko dengan cadangan ini? Semua sejak cadangan itu disisihkan.",
    "Check and restore": "Periksa dan pulihkan", "Schedule": "Jadwalkan", "Progress": "Kemajuan",
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
    # notes after a change, and login answers
    "Saved.": "Tersimpan.", "Booked.": "Dibooking.", "Campaign saved.": "Kampanye tersimpan.",
    "Draw saved.": "Undian tersimpan.", "Commitment published.": "Komitmen diterbitkan.",
    "Nobody is waiting.": "Tidak ada yang menunggu.",
    "wrong user name or password": "nama pengguna atau kata sandi salah",
    "too many failed logins: wait 15 minutes and try again":
        "terlalu banyak gagal masuk: tunggu 15 menit lalu coba lagi",
    "many people are logging in at this moment: try again in a few seconds":
        "banyak orang sedang masuk saat ini: coba lagi beberapa detik lagi",
    "only an owner may make an owner": "hanya pemilik yang boleh membuat pemilik",
    "Too many wrong setup codes: wait 15 minutes and try again.":
        "Terlalu banyak kode penyiapan yang salah: tunggu 15 menit lalu coba lagi.",
}


# Shop-floor refusals (the domain's messages, word for word).
ID.update({
    "This booking is not today: only a customer booked for today can join today's queue.":
        "Booking ini bukan untuk hari ini: hanya pelanggan yang booking hari ini yang bisa masuk antrian hari ini.",
    "This booking has not started yet: it can be marked done from its start time "
    "(a customer here early joins the queue with arrived).":
        "Booking ini belum dimulai: baru bisa ditandai selesai sejak jam mulainya "
        "(pelanggan yang datang lebih awal masuk antrian dengan tombol datang).",
    "arrived": "datang", "done": "selesai", "no-show": "tidak datang",
})


# The owner's settings (owner=True in appliance/settings.py) on the Settings
# pages: name -> (English, Indonesian). A test keeps it in step with the table.
SETTING_LABELS = {
    "shop_name": ("Name in every SMS", "Nama di setiap SMS"),
    "shop_address": ("Address, for customers who ask where the shop is",
                     "Alamat, untuk pelanggan yang bertanya lokasi toko"),
    "payment_instructions": ("Where to pay, in every SMS asking for payment",
                             "Cara bayar, di setiap SMS yang meminta pembayaran"),
    "timezone": ("Time zone", "Zona waktu"),
    "default_language": ("Language of new customers and staff", "Bahasa pelanggan dan staf baru"),
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

# What a customer's text meant (appliance/understand.py INTENTS, and "info"
# for a staff-made answer), as staff read it: intent -> (English, Indonesian).
# A test keeps it in step with the reader's intents.
INTENT_LABELS = {
    "book": ("booking", "booking"), "price": ("price", "harga"), "hours": ("opening hours", "jam buka"),
    "location": ("where the shop is", "lokasi toko"), "cancel": ("cancel", "batal"),
    "move": ("move a booking", "pindah jadwal"), "queue": ("join the queue", "ambil antrian"),
    "points": ("points", "poin"), "complain": ("complaint", "keluhan"),
    "opt_out": ("stop promotions", "berhenti promo"), "opt_in": ("promotions again", "mau promo lagi"),
    "order": ("order goods", "pesan barang"), "pay": ("has paid", "sudah bayar"),
    "order_status": ("order status", "status pesanan"), "ticket_status": ("ticket status", "status tiket"),
    "register": ("register", "daftar"), "thanks": ("thanks", "terima kasih"), "greeting": ("greeting", "salam"),
    "help": ("asks for help", "minta bantuan"), "unclear": ("not understood", "tidak dipahami"),
    "info": ("answer", "jawaban"),
}


def intent_label(intent: str, language: str | None) -> str:
    english, indonesian = INTENT_LABELS.get(intent, (intent, intent))
    return indonesian if language == "id" else english


ID.update({
    "understood": "dipahami", "taught": "diajarkan", "Teach": "Ajari",
    "Teach Loket what this means": "Ajari Loket maksudnya", "such as": "misalnya",
    "left in this part": "tersisa di bagian ini", "because of": "karena",
    "What did the customer mean?": "Apa maksud pelanggan?",
    "Choose what the customer meant.": "Pilih maksud pelanggan.",
    "This text has no words to learn (only numbers, signs or greetings).":
        "Teks ini tidak punya kata untuk dipelajari (hanya angka, tanda atau salam).",
    "Learnt: the next text like this one is understood as": "Dipelajari: teks berikutnya yang seperti ini dipahami sebagai",
    "Loket learns it for the next customer who writes the same.":
        "Loket mempelajarinya untuk pelanggan berikutnya yang menulis hal sama.",
    # the inbox's search and folders
    "Operator & robot": "Operator & robot", "All": "Semua", "Waiting": "Menunggu",
    "Name, number or text": "Nama, nomor atau teks", "Nothing found.": "Tidak ditemukan.",
    "Texts from operators, banks and short codes. Loket never answers them.":
        "SMS dari operator, bank dan nomor pendek. Loket tidak pernah membalasnya.",
    # staff-made answers
    "Answers": "Jawaban", "Staff-made answers": "Jawaban buatan staf",
    "New answer": "Jawaban baru", "Edit answer": "Ubah jawaban", "Keyword": "Kata kunci",
    "Customers may also write (comma separated)": "Pelanggan juga bisa menulis (pisahkan dengan koma)",
    "Reply in Indonesian": "Balasan bahasa Indonesia", "Reply in English": "Balasan bahasa Inggris",
    "On": "Aktif", "Off": "Mati", "Switch off": "Matikan", "Switch on": "Aktifkan", "Delete": "Hapus",
    "Edit": "Ubah", "No answers yet.": "Belum ada jawaban.",
    "A customer who texts the keyword, or writes one of the phrases, gets the reply in their language.":
        "Pelanggan yang mengirim kata kunci, atau menulis salah satu frasa, mendapat balasan dalam bahasanya.",
    "Answer saved.": "Jawaban tersimpan.", "Answer deleted.": "Jawaban dihapus.",
    "Answer switched off.": "Jawaban dimatikan.", "Answer switched on.": "Jawaban diaktifkan.",
    "The keyword is one word of letters and digits (at most 24).":
        "Kata kunci adalah satu kata dari huruf dan angka (paling banyak 24).",
    "This keyword is built in; choose another word.": "Kata kunci ini sudah dipakai Loket; pilih kata lain.",
    "Another answer already has this keyword.": "Jawaban lain sudah memakai kata kunci ini.",
    "Write the reply in Indonesian and in English.": "Tulis balasan dalam bahasa Indonesia dan Inggris.",
    "A reply has at most 320 characters.": "Balasan paling banyak 320 karakter.",
    "Each phrase has at most 60 characters; at most 20 phrases.":
        "Setiap frasa paling banyak 60 karakter; paling banyak 20 frasa.",
    "No such answer.": "Jawaban tidak ada.",
    "An answer is switched off before it can be deleted.": "Matikan jawaban dulu sebelum menghapusnya.",
    "No such text in this conversation.": "Teks itu tidak ada di percakapan ini.",
})

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
