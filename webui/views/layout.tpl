<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} · {{shop}}</title>
<link rel="stylesheet" href="/static/loket.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
</head>
<body>
<header class="top">
  <a class="brand" href="/">Loket <span class="shop">{{shop}}</span></a>
  % if user:
  <nav>
    <a href="/inbox" class="{{'on' if path.startswith('/inbox') else ''}}">Inbox</a>
    <a href="/outbox" class="{{'on' if path.startswith('/outbox') else ''}}">Not sent</a>
  </nav>
  <form method="post" action="/logout" class="logout">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <button type="submit" title="Log out {{user.username}}">Log out</button>
  </form>
  % end
</header>
<main>
{{!base}}
</main>
</body>
</html>
