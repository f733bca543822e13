% rebase('layout.tpl')
<p class="back"><a href="/restock">&larr; {{t('Restock orders')}}</a></p>
<h1>{{t('Suppliers')}}</h1>
<p class="meta">{{t('Who the shop buys its goods from. Open a supplier to order goods from it; the stock goes up when they come.')}}</p>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
% if rows:
<ul class="conversations">
% for s in rows:
  <li class="{{'' if s.active else 'off'}}"><a href="/suppliers/{{s.id}}"><span class="who">{{s.name}}</span><span class="when">{{phone_number(s.phone) if s.phone else ''}}{{'' if s.active else ' · ' + t('switched off')}}</span>
    <span class="snippet">{{', '.join(goods_of.get(s.id, [])) or t('no goods chosen yet')}}</span></a></li>
% end
</ul>
% else:
<p class="empty">{{t('No suppliers yet. Add the first one below.')}}</p>
% end
<details class="card" id="new" {{'open' if error or not rows else ''}}><summary>{{t('New supplier')}}</summary>
<form method="post" action="/suppliers">
  <input type="hidden" name="csrf" value="{{csrf}}">
  % include('supplier_fields.tpl', s=None)
  <button type="submit" class="primary">{{t('Add')}}</button>
</form></details>
