% rebase('layout.tpl')
<h1>{{t('Restock orders')}}</h1>
<nav class="buttons"><a class="button" href="/suppliers">{{t('Suppliers')}}</a></nav>
% if low:
<section class="card"><h2>{{t('Running low')}}</h2><ul class="plain">
% for p, coming in low:
  <li>{{p.name}} · {{t('stock')}} {{number(p.stock)}}{{(' · ' + t('{n} on order').format(n=number(coming))) if coming else ''}}</li>
% end
</ul></section>
% end
% if suppliers:
<details class="card" id="new"><summary>{{t('New restock order')}}</summary>
<p class="meta">{{t('Choose the supplier; its page has the order form.')}}</p>
<ul class="plain">
% for s in suppliers:
  <li><a href="/suppliers/{{s.id}}#order">{{s.name}}</a></li>
% end
</ul></details>
% else:
<p class="empty">{{t('No suppliers yet.')}} <a href="/suppliers#new">{{t('Add a supplier')}}</a></p>
% end
<form method="get" action="/restock" class="search">
  <label>{{t('Status')}} <select name="status"><option value="">{{t('all')}}</option>
  % for st in statuses:
    <option value="{{st}}" {{'selected' if st == status else ''}}>{{label(st)}}</option>
  % end
  </select></label><button type="submit">{{t('Open')}}</button>
</form>
% if rows:
<ul class="conversations">
% for r in rows:
  <li><a href="/restock/{{r.id}}"><span class="who">{{ref(r)}} · {{r.supplier.name}}</span><span class="when">{{label(r.status)}}</span>
    <span class="snippet">{{when(r.received_at or r.ordered_at or r.created_at)}}{{(' · ' + r.note) if r.note else ''}}</span></a></li>
% end
</ul>
% else:
<p class="empty">{{t('No restock orders.')}}</p>
% end
<nav class="pages">
  % if page > 1:
  <a href="/restock?status={{status}}&page={{page - 1}}">{{t('Newer')}}</a>
  % end
  % if more:
  <a href="/restock?status={{status}}&page={{page + 1}}">{{t('Older')}}</a>
  % end
</nav>
