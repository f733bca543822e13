% rebase('layout.tpl')
<h1>Inbox</h1>
% if not rows:
<p class="empty">No messages yet. When a customer texts the shop, the conversation appears here.</p>
% end
<ul class="conversations">
% for row in rows:
  % last = row['last']
  <li class="{{'waiting' if row['needs_staff'] else ''}}">
    <a href="/inbox/{{quote(row['phone'])}}">
      <span class="who">{{row['customer'].display_name if row['customer'] else row['phone']}}</span>
      <span class="when">{{when(last.created_at)}}</span>
      <span class="snippet">{{'You: ' if last.direction == 'out' else ''}}{{last.text[:120]}}</span>
      % if row['needs_staff']:
      <span class="badge">waiting for staff</span>
      % end
    </a>
  </li>
% end
</ul>
<nav class="pages">
  % if page > 1:
  <a href="/inbox?page={{page - 1}}">Newer</a>
  % end
  % if more:
  <a href="/inbox?page={{page + 1}}">Older</a>
  % end
</nav>
