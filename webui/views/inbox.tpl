% rebase('layout.tpl')
<h1>{{t('Inbox')}}</h1>
<p class="meta"><a href="/inbox{{'' if waiting_only else '?waiting=1'}}">{{t('Inbox') if waiting_only else t('Waiting for staff')}}</a></p>
% if not rows:
<p class="empty">{{t('No messages yet. When a customer texts the shop, the conversation appears here.')}}</p>
% end
<ul class="conversations">
% for row in rows:
  % last = row['last']
  <li class="{{'waiting' if row['needs_staff'] else ''}}">
    <a href="/inbox/{{quote(row['phone'])}}">
      <span class="who">{{row['customer'].display_name if row['customer'] else row['phone']}}</span>
      <span class="when">{{when(last.created_at)}}</span>
      <span class="snippet">{{t('You') + ': ' if last.direction == 'out' else ''}}{{last.text[:120]}}</span>
      % if row['needs_staff']:
      <span class="badge">{{t('waiting for staff')}}</span>
      % end
    </a>
  </li>
% end
</ul>
<nav class="pages">
  % if page > 1:
  <a href="/inbox?page={{page - 1}}{{'&waiting=1' if waiting_only else ''}}">{{t('Newer')}}</a>
  % end
  % if more:
  <a href="/inbox?page={{page + 1}}{{'&waiting=1' if waiting_only else ''}}">{{t('Older')}}</a>
  % end
</nav>
