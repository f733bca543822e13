<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title><link rel="stylesheet" href="/static/loket.css"><link rel="icon" href="/static/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/static/jobcard.css"></head>
<body class="jobcard">
<h1>{{shop}} — Job card / Kartu kerja {{card['number']}}</h1>
<table>
<tr><th>Customer / Pelanggan</th><td>{{card['customer']['name']}} · {{phone_number(card['customer']['phone'])}}</td></tr>
<tr><th>Address / Alamat</th><td>{{card['customer']['address']}}</td></tr>
% if card['customer']['contact_name'] or card['customer']['contact_phone']:
<tr><th>Contact person / Narahubung</th><td>{{card['customer']['contact_name']}}{{(' · ' + phone_number(card['customer']['contact_phone'])) if card['customer']['contact_phone'] else ''}}</td></tr>
% end
<tr><th>Category / Kategori</th><td>{{card['category']}}</td></tr>
<tr><th>Problem / Masalah</th><td>{{card['summary']}}<br>{{card['detail']}}</td></tr>
<tr><th>Technician / Teknisi</th><td>{{card['technician']['name'] if card['technician'] else ''}}</td></tr>
<tr><th>Visit / Kunjungan</th><td>{{card['visit_at'].strftime('%d-%m-%Y %H:%M') if card['visit_at'] else ''}}</td></tr>
<tr><th>Opened / Dibuka</th><td>{{card['created_at'].strftime('%d-%m-%Y %H:%M') if card['created_at'] else ''}}</td></tr>
<tr><th>Due / Batas</th><td>{{card['resolution_due'].strftime('%d-%m-%Y %H:%M') if card['resolution_due'] else ''}}</td></tr>
<tr><th>Status</th><td>{{card['status']}} {{card['pending_reason']}}</td></tr>
<tr><th>Resolution / Penyelesaian</th><td>{{card['resolution']}}</td></tr>
</table>
<h2>Work done / Pekerjaan</h2>
% for n in range(card['blank_lines']):
<div class="blank-line"></div>
% end
<div class="signatures">
% for s in card['signatures']:
  <div class="signature">{{s['label_id']}} / {{s['label_en']}}<div class="sign-here"></div></div>
% end
</div>
</body></html>
