"""The words of Indonesian SMS as customers write them: the spellings that
stand for a word (bsk, brp, gak), the fillers that say nothing (kak, gan,
dong), and the words that tell Indonesian from English. Data only: the
reader (understand.py) applies them."""

# SMS spelling -> the word it stands for. Applied word by word after fold().
SLANG = {
    "bsk": "besok", "besuk": "besok", "bs": "bisa", "bsa": "bisa", "jm": "jam", "pk": "pukul",
    "brp": "berapa", "brapa": "berapa", "berapaan": "berapa", "brpa": "berapa",
    "gak": "tidak", "ga": "tidak", "gk": "tidak", "nggak": "tidak", "ngga": "tidak", "enggak": "tidak",
    "engga": "tidak", "tdk": "tidak", "tak": "tidak", "kagak": "tidak", "g": "tidak",
    "utk": "untuk", "untk": "untuk", "buat": "untuk", "bwt": "untuk",
    "sy": "saya", "aku": "saya", "aq": "saya", "ak": "saya", "gue": "saya", "gw": "saya", "sya": "saya",
    "tf": "transfer", "trf": "transfer", "trnsfer": "transfer", "transper": "transfer",
    "yg": "yang", "dgn": "dengan", "dg": "dengan", "sm": "sama", "ama": "sama",
    "udh": "sudah", "udah": "sudah", "sdh": "sudah", "dah": "sudah", "uda": "sudah", "wis": "sudah",
    "blm": "belum", "blom": "belum", "lom": "belum",
    "tgl": "tanggal", "kalo": "kalau", "klo": "kalau", "kl": "kalau",
    "gmn": "gimana", "gmna": "gimana", "bagaimana": "gimana", "dmn": "dimana", "mana": "mana",
    "knp": "kenapa", "lg": "lagi", "jgn": "jangan", "jngn": "jangan", "tlg": "tolong", "tolongin": "tolong",
    "trus": "terus", "trs": "terus", "dtg": "datang", "dateng": "datang", "dtang": "datang",
    "dr": "dari", "pgn": "mau", "pengen": "mau", "pingin": "mau", "ingin": "mau", "mo": "mau", "mw": "mau",
    "inet": "internet", "wifi": "internet", "net": "internet", "modemnya": "modem",
    "no": "nomor", "nmr": "nomor", "nomer": "nomor", "hp": "hp", "sj": "saja", "aja": "saja",
    "bln": "bulan", "hr": "hari", "mggu": "minggu", "skrg": "sekarang", "skrng": "sekarang",
    "org": "orang", "msh": "masih", "masi": "masih", "ad": "ada", "pke": "pakai", "pake": "pakai",
    "batalin": "batalkan", "batalkn": "batalkan", "cancelin": "batalkan", "pindahin": "pindahkan",
    "dimajuin": "dimajukan", "majuin": "dimajukan", "dimundurin": "dimundurkan", "mundurin": "dimundurkan",
    "kirimin": "kirim", "kirimkan": "kirim", "dikirimin": "dikirim",
    "makasih": "terima kasih", "makasi": "terima kasih", "mksh": "terima kasih", "trims": "terima kasih",
    "trimakasih": "terima kasih", "terimakasih": "terima kasih", "thx": "thanks", "tq": "thanks",
    "thank": "thanks", "ty": "thanks", "tks": "thanks", "nuhun": "terima kasih", "suwun": "terima kasih",
    "rek": "rekening", "norek": "nomor rekening", "rekeningnya": "rekening",
    "alamatnya": "alamat", "lokasinya": "lokasi", "harganya": "harga", "tarifnya": "tarif",
    "antriannya": "antrian", "antrean": "antrian", "antre": "antri", "poinnya": "poin", "point": "poin",
    "pesanannya": "pesanan", "paketnya": "paket", "resinya": "resi", "teknisinya": "teknisi",
    "jadwalnya": "jadwal", "laporannya": "laporan", "tiketnya": "tiket", "nya": "",
    "ok": "oke", "okey": "oke", "okay": "oke", "okee": "oke", "sip": "oke", "siip": "oke", "sipp": "oke",
    "u": "you", "ur": "your", "pls": "please", "plz": "please", "im": "i am", "id": "i would",
    "hapusin": "hapus", "hapuskan": "hapus", "stopin": "stop", "unsub": "unsubscribe",
    "byr": "bayar", "byar": "bayar", "bayarnya": "bayar", "ongkirnya": "ongkir",
}
# Polite address and fillers: they carry no meaning for the intent.
FILLERS = frozenset({
    "kak", "ka", "kakak", "gan", "agan", "min", "mimin", "admin", "mbak", "mba", "mas", "bu", "ibu", "pak",
    "bapak", "sis", "bro", "bang", "om", "tante", "teh", "akang", "dong", "donk", "ya", "yah", "yaa", "yak",
    "nih", "deh", "sih", "kok", "lho", "loh", "kah", "lah", "tuh", "toh", "nya", "ni", "an", "please",
})

# Words that tell the language. Loanwords used in both (booking, info, menu,
# ok, promo, cancel, order, transfer, spa ...) are in neither list.
ID_WORDS = frozenset(
    "saya aku kami kita anda bisa tidak mau ada yang dan atau untuk dari ke di pada dengan sama sudah belum "
    "masih berapa kapan dimana mana apa gimana kenapa jam besok lusa hari ini itu tolong mohon terima kasih "
    "jangan lagi kirim nomor harga tarif buka tutup alamat lokasi antri antrian poin batal pindah jadwal "
    "pesan pesanan bayar sudah lama dulu nanti pagi siang sore malam minggu senin selasa rabu kamis jumat "
    "sabtu anak bayi ibu hamil pijat mati rusak lambat kecewa kurang bersih boleh baru beli ambil stok "
    "sampai dikirim teknisi laporan saja juga kalau biar biaya paket pasang datang dateng sekarang gak "
    "nama sayang selamat halo hai permisi maaf siap mantap cek sih dong ya kak gan banget tiket laporan "
    "pesanan barang kirim dikirim tutup bengkel toko kantor".split())
EN_WORDS = frozenset(
    "i i'm you your we our my me is are am was were be been do does did can could would like want the a an "
    "of to in on at for from with and or not no yes please thanks thank what when where how much many "
    "price prices open close address location queue points my tomorrow today friday saturday sunday monday "
    "tuesday wednesday thursday morning afternoon evening cancel happy waited minutes past our booking "
    "book massage baby help stop send again order paid pay status ticket hello hi good still there any "
    "have has is it that this your slot available unsubscribe subscribe".split())
LOANWORDS = frozenset("booking book info menu oke ok promo cancel order transfer spa baby reserve reservasi status "
                      "top up online offline wifi internet modem sms hp stop".split())
