"""The staff UI in Indonesian and English, per user.

Templates write English and call `t("...")`; this catalogue gives the
Indonesian. A string missing here shows in English rather than breaking a
page; a test lists the strings the templates use that have no translation.
"""

from __future__ import annotations

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


def translate(text: str, language: str | None) -> str:
    if language == "id":
        return ID.get(text, text)
    return text
