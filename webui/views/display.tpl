<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{shop}}</title><link rel="stylesheet" href="/static/loket.css"><link rel="icon" href="/static/favicon.svg" type="image/svg+xml"><script src="/static/loket.js" defer></script></head>
<body class="display" data-board="/display/board">
<h1>{{shop}}</h1>
<section><h2>Sekarang / Now serving</h2><p class="now" data-now>{{'  '.join(str(n) for n in board['serving']) or '–'}}</p></section>
<section><h2>Berikutnya / Next</h2><p class="next" data-next>{{'  '.join(str(n) for n in board['waiting'][:8]) or '–'}}</p></section>
</body></html>
