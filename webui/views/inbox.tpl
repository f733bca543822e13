% rebase('layout.tpl')
<h1>{{t(title)}}</h1>
<div class="inbox-tools">
  <form method="get" action="/inbox" role="search">
    % if folder:
    <input type="hidden" name="folder" value="robot">
    % end
    % if show:
    <input type="hidden" name="show" value="{{show}}">
    % end
    <input type="search" name="q" value="{{words}}" placeholder="{{t('Name, number or text')}}" aria-label="{{t('Search')}}" maxlength="100">
    <button type="submit">{{t('Search')}}</button>
  </form>
  <nav class="filters" aria-label="{{t('Show')}}">
    % for href, name, on in tabs:
    <a href="{{href}}" class="{{'on' if on else ''}}"{{!' aria-current="page"' if on else ''}}>{{t(name)}}</a>
    % end
  </nav>
</div>
% if folder:
<p class="meta">{{t('Texts from operators, banks and short codes. Loket never answers them.')}}</p>
% elif show == 'mine':
<p class="meta">{{t('Conversations where the last reply from staff is yours.')}}</p>
% elif show == 'today':
<p class="meta">{{t('Customers who texted the shop today.')}}</p>
% end
% if not rows:
<p class="empty">{{t('Nothing found.') if words or show or folder else t('No messages yet. When a customer texts the shop, the conversation appears here.')}}</p>
% end
<ul class="conversations">
% for row in rows:
  % last = row['last']
  % said = row['last_in'] or last
  <li class="{{'waiting' if row['needs_staff'] else ''}}">
    <a href="/inbox/{{quote(row['phone'])}}">
      <span class="who">{{row['customer'].name if row['customer'] and row['customer'].name else phone_number(row['phone'])}}
      % if words and row['customer'] and row['customer'].name:
      <span class="number">{{phone_number(row['phone'])}}</span>
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
<nav class="pages" aria-label="{{t('Pages')}}">
  % if page > 1:
  <a href="{{page_link(page - 1)}}">{{t('Newer')}}</a>
  % end
  % if more:
  <a href="{{page_link(page + 1)}}">{{t('Older')}}</a>
  % end
</nav>
