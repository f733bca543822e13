% rebase('layout.tpl')
<h1>{{t('Customers')}} <small class="meta">{{number(total)}}</small></h1>
% if get('error'):
<p class="error" role="alert">{{error}}</p>
% end
<form method="get" action="/customers" class="search">
  <input name="q" value="{{q}}" placeholder="{{t('Name')}} / 0812…" aria-label="{{t('Search')}}" maxlength="100">
  <button type="submit">{{t('Search')}}</button>
</form>
<ul class="conversations">
% for c in rows:
  <li class="{{'waiting' if c.flag else ''}}"><a href="/customers/{{c.id}}">
    <span class="who">{{who(c)}}</span><span class="when">{{t('{n} points').format(n=number(c.points))}}</span>
    <span class="snippet">{{phone_number(c.phone) if c.name else ''}}{{(' · ' if c.name else '') + c.flag if c.flag else ''}}</span></a></li>
% end
</ul>
% if not rows:
<p class="empty">{{t('No customers match.')}}</p>
% end
<nav class="pages">
  % if page > 1:
  <a href="/customers?q={{quote(q)}}&page={{page - 1}}">{{t('Newer')}}</a>
  % end
  % if more:
  <a href="/customers?q={{quote(q)}}&page={{page + 1}}">{{t('Older')}}</a>
  % end
</nav>
% if user.role in ('owner', 'admin', 'frontdesk'):
<details class="card">
  <summary>{{t('New customer')}}</summary>
  <form method="post" action="/customers">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label>{{t('Phone')}} <input name="phone" required maxlength="40" inputmode="tel"></label>
    <label>{{t('Name')}} <input name="name" maxlength="100"></label>
    <label>{{t('Address')}} <input name="address" maxlength="500"></label>
    <button type="submit" class="primary">{{t('Add')}}</button>
  </form>
</details>
% end
% if user.role in ('owner', 'admin'):
<p><a href="/customers/import">{{t('Import customers')}}</a> · <a href="/customers/export.csv">{{t('Download CSV')}}</a></p>
% end
