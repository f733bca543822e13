% rebase('layout.tpl')
<p class="back"><a href="/suppliers">&larr; {{t('Suppliers')}}</a></p>
<h1>{{s.name}}{{'' if s.active else ' · ' + t('switched off')}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<dl class="facts">
  <dt>{{t('Phone')}}</dt><dd>{{phone_number(s.phone) if s.phone else '-'}}</dd>
  % if s.note:
  <dt>{{t('Notes')}}</dt><dd>{{s.note}}</dd>
  % end
  <dt>{{t('Goods it supplies')}}</dt><dd>{{', '.join(p.name for p in theirs) or t('no goods chosen yet')}}</dd>
</dl>
% if s.active:
<details class="card" id="order" {{'open' if error and typed.get('supplier') else ''}}><summary>{{t('New restock order')}}</summary>
<form method="post" action="/restock">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="supplier" value="{{s.id}}">
  % include('restock_lines.tpl')
  <label>{{t('Notes')}} <input name="note" maxlength="500" value="{{typed.get('note', '') if typed.get('supplier') else ''}}"></label>
  <button type="submit" class="primary">{{t('Save as a draft')}}</button>
</form></details>
% end
<section class="card"><h2>{{t('Restock orders')}}</h2>
% if restocks:
<ul class="plain">
% for r in restocks:
  <li><a href="/restock/{{r.id}}">{{ref(r)}}</a> · {{label(r.status)}} · {{when(r.created_at)}}</li>
% end
</ul>
% else:
<p class="empty">{{t('None yet.')}}</p>
% end
</section>
<details class="card" id="edit" {{'open' if error and not typed.get('supplier') else ''}}><summary>{{t('Change the supplier')}}</summary>
<form method="post" action="/suppliers/{{s.id}}">
  <input type="hidden" name="csrf" value="{{csrf}}">
  % include('supplier_fields.tpl', typed={} if typed.get('supplier') else typed)
  <label class="check"><input type="checkbox" name="active" {{'checked' if s.active else ''}}> {{t('Active: offered for new restock orders')}}</label>
  <button type="submit" class="primary">{{t('Save')}}</button>
</form></details>
