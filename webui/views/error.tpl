<!doctype html>
<html lang="{{language}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{status}} · {{shop}}</title><link rel="stylesheet" href="/static/loket.css"><link rel="icon" href="/static/favicon.svg" type="image/svg+xml"></head>
<body><main><section class="card narrow">
<h1>{{status}}</h1>
<p>{{message}}</p>
<p><a href="/">{{t('Back to Loket')}}</a></p>
</section></main></body></html>
