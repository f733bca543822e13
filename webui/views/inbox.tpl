% rebase('layout.tpl')
% base_q = ('folder=robot&' if folder else '') + ('q=' + quote(words) + '&' if words else '')
<h1>{{t(title)}}</h1>
<div class="inbox-tools">
  <form method="get" action="/inbox" role="search">
    % if folder:
    <input type="hidden" name="folder" value="robot">
    % end
    <input type="search" name="q" value="{{words}}" placeholder="{{t('Name, number or text')}}" aria-label="{{t('Search')}}" maxlength="100">
    <button type="submit">{{t('Search')}}</button>
  </form>
  <a href="/inbox" class="{{'on' if not folder and not waiting_only else ''}}">{{t('All')}}</a>
  <a href="/inbox?waiting=1" class="{{'on' if waiting_only and not folder else ''}}">{{t('Waiting')}}</a>
  <a href="/inbox?folder=robot" class="{{'on' if folder else ''}}">{{t('Operator & robot')}}</a>
</div>
% if folder:
<p class="meta">{{t('Texts from operators, banks and short codes. Loket never answers them.')}}</p>
% end
% if not rows:
<p class="empty">{{t('Nothing found.') if words or waiting_only or folder else t('No messages yet. When a customer texts the shop, the conversation appears here.')}}</p>
% end
<ul class="conversations">
% for row in rows:
  % last = row['last']
  % said = row['last_in'] or last
  <li class="{{'waiting' if row['needs_staff'] else ''}}">
    <a href="/inbox/{{quote(row['phone'])}}">
      <span class="who">{{row['customer'].display_name if row['customer'] else row['phone']}}
      % if words and row['customer'] and row['customer'].name:
      <span class="number">{{row['phone']}}</span>
      % end
      </span>
      <span class="when">{{when(last.created_at)}}</span>
      <span class="snippet">{{t('You') + ': ' if said.direction == 'out' else ''}}{{said.text[:120]}}</span>
      % if row['needs_staff']:
      <span class="badge">{{t('waiting for staff')}}</span>
      % end
    </a>
  </li>
% end
</ul>
<nav class="pages">
  % if page > 1:
  <a href="/inbox?{{base_q}}page={{page - 1}}{{'&waiting=1' if waiting_only else ''}}">{{t('Newer')}}</a>
  % end
  % if more:
  <a href="/inbox?{{base_q}}page={{page + 1}}{{'&waiting=1' if waiting_only else ''}}">{{t('Older')}}</a>
  % end
</nav>
