<!doctype html>
<html lang="{{language}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{t(title)}} · {{shop}}</title>
<link rel="stylesheet" href="/static/loket.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<script src="/static/loket.js" defer></script>
</head>
<body data-busy="{{t('Saving…')}}" data-busy-send="{{t('Sending…')}}">
<header class="top">
  <a class="brand" href="/">Loket <span class="shop">{{shop}}</span></a>
  % if user:
  <nav class="main">
    % for href, label, allowed in [('/dashboard', 'Dashboard', roles), ('/inbox', 'Inbox', roles), ('/customers', 'Customers', roles), ('/bookings', 'Bookings', roles), ('/queue', 'Queue', roles), ('/tickets', 'Tickets', roles), ('/visits', 'Visits', ('owner', 'admin', 'frontdesk', 'technician')), ('/orders', 'Orders', roles), ('/campaigns', 'Campaigns', ('owner', 'admin', 'frontdesk', 'viewer')), ('/draws', 'Draws', ('owner', 'admin', 'frontdesk', 'viewer')), ('/reports', 'Reports', ('owner', 'admin', 'viewer')), ('/outbox', 'Not sent', roles), ('/settings', 'Settings', ('owner', 'admin'))]:
    % if user.role in allowed:
    <a href="{{href}}" class="{{'on' if path.startswith(href) else ''}}">{{t(label)}}</a>
    % end
    % end
  </nav>
  <a class="ghost button me" href="/me" title="{{t('My login')}}">{{user.username}}</a>
  <form method="post" action="/me/language" class="inline">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <input type="hidden" name="back" value="{{path}}">
    <button type="submit" name="language" value="{{'en' if user.language == 'id' else 'id'}}" class="ghost" title="{{t('Language')}}">{{'EN' if user.language == 'id' else 'ID'}}</button>
  </form>
  <form method="post" action="/logout" class="inline">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <button type="submit" class="ghost" title="{{user.username}}">{{t('Log out')}}</button>
  </form>
  % end
</header>
<main>
% if get('flash'):
<p class="flash" role="status">{{flash}}</p>
% end
{{!base}}
</main>
</body>
</html>
