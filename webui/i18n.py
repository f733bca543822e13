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
}


def translate(text: str, language: str | None) -> str:
    if language == "id":
        return ID.get(text, text)
    return text
