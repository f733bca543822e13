% rebase('layout.tpl')
<script src="/static/photo.js" defer></script>
<p class="back"><a href="/settings">&larr; {{t('Settings')}}</a></p>
<h1>{{t('Shop settings')}}</h1>
<p class="meta">{{t("Open a part to change it; each part has its own Save. Times are the shop's time ({zone}).").format(zone=zone)}}</p>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<div class="shop-settings">
% for group, title, fields in groups:
<details class="card" id="{{group}}" {{'open' if opened == group else ''}}><summary>{{t(title)}}</summary>
<form method="post" action="/settings/shop">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="section" value="{{group}}">
  % for f in fields:
  % if f['name'] == 'timezone':
  <label>{{t(f['label'])}} <select name="timezone" {{'disabled' if f['pinned'] else ''}}>
  % for z in zones:
    <option value="{{z}}" {{'selected' if f['value'] == z else ''}}>{{z}}</option>
  % end
  </select></label>
  % elif f['name'] == 'default_language':
  <label>{{t(f['label'])}} <select name="default_language" {{'disabled' if f['pinned'] else ''}}><option value="id" {{'selected' if f['value'] == 'id' else ''}}>Bahasa Indonesia</option><option value="en" {{'selected' if f['value'] == 'en' else ''}}>English</option></select></label>
  % elif f['name'] == 'order_steps':
  <label>{{t(f['label'])}} <select name="order_steps" {{'disabled' if f['pinned'] else ''}}>
  % for value, words in (('off', t('none: paid, then shipped')), ('packed', t('packed, then shipped')), ('production', t('in production, packed, then shipped'))):
    <option value="{{value}}" {{'selected' if f['value'] == value else ''}}>{{words}}</option>
  % end
  </select></label>
  % elif f['kind'] == 'boolean':
  <label>{{t(f['label'])}} <select name="{{f['name']}}" {{'disabled' if f['pinned'] else ''}}><option value="true" {{'selected' if f['value'] == 'True' else ''}}>{{t('yes')}}</option><option value="false" {{'selected' if f['value'] == 'False' else ''}}>{{t('no')}}</option></select></label>
  % elif f['rupiah']:
  <label>{{t(f['label'])}} <span class="money"><span aria-hidden="true">Rp</span><input name="{{f['name']}}" value="{{f['value']}}" {{'disabled' if f['pinned'] else ''}} maxlength="30" inputmode="numeric"></span></label>
  % else:
  <label>{{t(f['label'])}} <input name="{{f['name']}}" value="{{f['value']}}" {{'disabled' if f['pinned'] else ''}} maxlength="100" {{!'inputmode="numeric"' if f['kind'] == 'integer' else ('inputmode="decimal"' if f['kind'] == 'number' else '')}}></label>
  % end
  % if f['pinned']:
  <p class="meta">{{t("Set in the box's configuration; change it there.")}}</p>
  % end
  % end
  <button type="submit" class="primary">{{t('Save')}}</button>
</form></details>
% end

<details class="card" id="hours" {{'open' if opened == 'hours' else ''}}><summary>{{t('Opening hours')}}</summary>
<form method="post" action="/settings/shop">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="section" value="hours">
  % for n, day in enumerate([t('Monday'), t('Tuesday'), t('Wednesday'), t('Thursday'), t('Friday'), t('Saturday'), t('Sunday')]):
  % row = hours.get(n)
  <fieldset class="day"><legend>{{day}}</legend><div class="row-form">
  <label>{{t('opens')}} <input type="time" name="opens{{n}}" value="{{kept('hours', None, 'opens%d' % n, row.opens.strftime('%H:%M') if row else '')}}"></label>
  <label>{{t('closes')}} <input type="time" name="closes{{n}}" value="{{kept('hours', None, 'closes%d' % n, row.closes.strftime('%H:%M') if row else '')}}"></label></div></fieldset>
  % end
  <p class="meta">{{t('Empty: closed that day. With no hours at all: Monday to Saturday, 09:00 to 17:00.')}}</p>
  <button type="submit" class="primary">{{t('Save')}}</button>
</form></details>

<details class="card" id="service" {{'open' if opened == 'service' else ''}}><summary>{{t('Services')}}</summary>
% for v in services + [None]:
<form method="post" action="/settings/shop" class="row-form">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="section" value="service"><input type="hidden" name="id" value="{{v.id if v else ''}}">
  <label>{{t('Name')}} <input name="name" value="{{kept('service', v, 'name', v.name if v else '')}}" maxlength="100" placeholder="{{'' if v else t('New service')}}"></label>
  <label>{{t('Minutes')}} <input name="duration" value="{{kept('service', v, 'duration', v.duration_minutes if v else 60)}}" inputmode="numeric" maxlength="4"></label>
  <label>{{t('Price (Rp)')}} <input name="price" value="{{kept('service', v, 'price', amount(v.price) if v else '')}}" inputmode="numeric" maxlength="30"></label>
  <label>{{t('Customers per time')}} <input name="capacity" value="{{kept('service', v, 'capacity', v.capacity if v else 1)}}" inputmode="numeric" maxlength="3"></label>
  <label>{{t('Come back after (days)')}} <input name="comeback" value="{{kept('service', v, 'comeback', v.comeback_days if v and v.comeback_days else '')}}" inputmode="numeric" maxlength="4"></label>
  <label>{{t('Words customers use')}} <input name="aliases" value="{{kept('service', v, 'aliases', v.aliases if v else '')}}" maxlength="500"></label>
  % if v:
  <label class="check"><input type="checkbox" name="active" {{'checked' if v.active else ''}}> {{t('Active')}}</label>
  % end
  <button type="submit">{{t('Save') if v else t('Add')}}</button>
</form>
% end
</details>

<details class="card" id="product" {{'open' if opened == 'product' else ''}}><summary>{{t('Goods')}}</summary>
<p class="meta"><a href="/restock">{{t('Suppliers and restock orders')}}</a></p>
% for p in products + [None]:
% if p:
% thumb = photo_url(p.id)
<details class="goods" {{'open' if kept('product', p, 'id', None) == str(p.id) else ''}}><summary>\\
% if thumb:
<img class="thumb" src="{{thumb}}" alt="" width="64" height="64" loading="lazy">\\
% end
<span class="code">{{p.sku or '—'}}</span> <span class="name">{{p.name}}</span> <span class="meta">{{money(p.price)}}{{('/' + p.unit) if p.unit else ''}} · {{t('{n} in stock').format(n=amount(p.stock))}}{{(' ' + p.unit) if p.unit else ''}}{{'' if p.active else ' · ' + t('not sold')}}</span></summary>
% end
<form method="post" action="/settings/shop" class="row-form goods-form">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="section" value="product"><input type="hidden" name="id" value="{{p.id if p else ''}}">
  <label>{{t('Name')}} <input name="name" value="{{kept('product', p, 'name', p.name if p else '')}}" maxlength="200" placeholder="{{'' if p else t('New goods')}}"></label>
  <label>{{t('Code (BUY KR-01 2)')}} <input name="sku" value="{{kept('product', p, 'sku', p.sku if p else '')}}" maxlength="64" autocapitalize="characters" spellcheck="false" autocomplete="off"></label>
  <label>{{t('Category')}} <input name="category" value="{{kept('product', p, 'category', p.category if p else '')}}" maxlength="100"></label>
  <label>{{t('Price (Rp)')}} <input name="price" value="{{kept('product', p, 'price', amount(p.price) if p else '')}}" inputmode="numeric" maxlength="30"></label>
  <label>{{t('Unit (pcs, set, liter…)')}} <input name="unit" value="{{kept('product', p, 'unit', p.unit if p else '')}}" maxlength="20" list="units" autocomplete="off"></label>
  % if p:
  <label>{{t('In stock: {n}. Change by').format(n=amount(p.stock))}} <input name="stock_delta" value="{{kept('product', p, 'stock_delta', 0)}}" inputmode="numeric" maxlength="7"></label>
  % else:
  <label>{{t('Stock')}} <input name="stock" value="{{kept('product', p, 'stock', 0)}}" inputmode="numeric" maxlength="7"></label>
  % end
  <label class="wide">{{t('Description')}} <textarea name="description" rows="2" maxlength="{{max_description}}">{{kept('product', p, 'description', p.description if p else '')}}</textarea></label>
  % if p:
  <label class="check"><input type="checkbox" name="active" {{'checked' if p.active else ''}}> {{t('Active')}}</label>
  % end
  <button type="submit">{{t('Save') if p else t('Add')}}</button>
</form>
% if p:
<form method="post" action="/goods/{{p.id}}/photo" enctype="multipart/form-data" class="row-form photo-form">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <label>{{t('Photo (JPEG or PNG)')}} <input type="file" name="photo" accept="image/jpeg,image/png" data-photo-resize></label>
  <button type="submit">{{t('Save photo')}}</button>
</form>
% if thumb:
<form method="post" action="/goods/{{p.id}}/photo/remove" class="row-form photo-form">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <img src="{{thumb}}" alt="{{t('Photo of {name}').format(name=p.name)}}" width="128" height="128" class="photo">
  <button type="submit" class="danger">{{t('Remove photo')}}</button>
</form>
% end
</details>
% end
% end
<datalist id="units">
% for u in units:
  <option value="{{u}}">
% end
</datalist>
</details>

<details class="card" id="category" {{'open' if opened == 'category' else ''}}><summary>{{t('Ticket categories and SLA')}}</summary>
% for c in categories + [None]:
<form method="post" action="/settings/shop" class="row-form">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="section" value="category"><input type="hidden" name="id" value="{{c.id if c else ''}}">
  <label>{{t('Name')}} <input name="name" value="{{kept('category', c, 'name', c.name if c else '')}}" maxlength="64" placeholder="{{'' if c else t('New category')}}"></label>
  <label>{{t('Words in the complaint')}} <input name="words" value="{{kept('category', c, 'words', c.words if c else '')}}" maxlength="1000"></label>
  <label>{{t('First answer within (minutes)')}} <input name="response" value="{{kept('category', c, 'response', c.response_minutes if c else 60)}}" inputmode="numeric" maxlength="6"></label>
  <label>{{t('Resolved within (minutes)')}} <input name="resolution" value="{{kept('category', c, 'resolution', c.resolution_minutes if c else 1440)}}" inputmode="numeric" maxlength="6"></label>
  <label>{{t('Warn when this % of the time has gone')}} <input name="warn" value="{{kept('category', c, 'warn', c.warn_percent if c else 80)}}" inputmode="numeric" maxlength="3"></label>
  <button type="submit">{{t('Save') if c else t('Add')}}</button>
</form>
% end
</details>
</div>
