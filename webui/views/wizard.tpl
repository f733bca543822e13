% rebase('layout.tpl')
<p class="meta">{{t('Setting up the shop: step {n} of {total}').format(n=at + 1, total=len(steps))}}</p>
<ol class="wizard-steps">
  % for s in steps:
  <li><a href="/setup/{{s}}" class="{{'on' if s == step else ''}}" {{!'aria-current="step"' if s == step else ''}}>{{t(titles[s])}}</a></li>
  % end
</ol>
<h1>{{t(titles[step])}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end

% if step == 'hours':
<form method="post" action="/setup/hours" class="card wizard">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <label>{{t('Address, for customers who ask where the shop is')}}
    <input name="shop_address" value="{{typed.get('address', address)}}" maxlength="160" placeholder="Jl. Ahmad Yani 5, Garut"></label>
  <p class="meta">{{t('Tick the days the shop is open. Bookings and reminders keep to these hours.')}}</p>
  <div class="week-hours">
    <div class="day head" aria-hidden="true"><span></span><span>{{t('Opens')}}</span><span>{{t('Closes')}}</span></div>
  % for d, name, opens, closes, is_open in week:
    <div class="day">
      <label class="check"><input type="checkbox" name="open{{d}}" {{'checked' if is_open else ''}}> {{t(name)}}</label>
      <input name="opens{{d}}" value="{{opens}}" aria-label="{{t(name)}}: {{t('Opens')}}" inputmode="decimal" maxlength="5" placeholder="08:00">
      <input name="closes{{d}}" value="{{closes}}" aria-label="{{t(name)}}: {{t('Closes')}}" inputmode="decimal" maxlength="5" placeholder="17:00">
    </div>
  % end
  </div>
  <div class="buttons">
    <button type="submit" class="primary">{{t('Save and continue')}}</button>
    <a class="button" href="{{next_url}}">{{t('Later')}}</a>
  </div>
</form>

% elif step == 'offers':
<form method="post" action="/setup/offers" class="wizard">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <input type="hidden" name="rows" value="{{len(rows)}}">
  % if what == 'categories':
  <p class="meta">{{t('How complaints are sorted, a few to start with: a customer\'s text with one of the words goes into that category, and its hours say how soon staff answer and fix it. Change them to your own; more on the Shop page.')}}</p>
  % else:
  <p class="meta">{{t('A few to start with: change the names and prices to your own, remove what you do not sell. More can be added later on the Shop page.') if what == 'goods' else t('A few to start with: change the names, prices and durations to your own, remove what you do not offer. Customers book them by SMS.')}}</p>
  % end
  % for i, r in enumerate(rows):
  % price = r.get('price')
  <fieldset class="card offer {{'bad-row' if r.get('problems') else ''}}">
    <legend>{{t('Row {n}').format(n=i + 1)}}</legend>
    % for problem in r.get('problems', []):
    <p class="error">{{problem}}</p>
    % end
    <input type="hidden" name="id{{i}}" value="{{r.get('id') or ''}}">
    <label>{{t('Name')}} <input name="name{{i}}" value="{{r.get('name', '')}}" maxlength="200"></label>
    % if what == 'categories':
    <label>{{t('Words customers use')}} <input name="words{{i}}" value="{{r.get('words', '')}}" maxlength="1000" placeholder="mati, putus, lambat"></label>
    <div class="pair">
      % for field, label in (('response', t('Answer within (hours)')), ('resolution', t('Fix within (hours)'))):
      % hours = r.get(field)
      <label>{{label}} <input name="{{field}}{{i}}" value="{{('%g' % hours).replace('.', ',' if language == 'id' else '.') if isinstance(hours, (int, float)) else (hours or '')}}" inputmode="decimal" maxlength="6" placeholder="4"></label>
      % end
    </div>
    % else:
    <div class="pair {{what}}">
      <label>{{t('Price (Rp)')}} <input name="price{{i}}" value="{{number(price) if isinstance(price, int) else (price or '')}}" inputmode="decimal" maxlength="40" placeholder="85.000"></label>
      % if what == 'services':
      <label>{{t('Minutes')}} <input name="duration{{i}}" value="{{r.get('duration', '')}}" inputmode="numeric" maxlength="5"></label>
      % else:
      <label>{{t('SMS code')}} <input name="code{{i}}" value="{{r.get('code', '')}}" maxlength="64" autocapitalize="characters" placeholder="KR-01"></label>
      <label>{{t('In stock')}} <input name="stock{{i}}" value="{{r.get('stock', 0)}}" inputmode="numeric" maxlength="8"></label>
      % end
    </div>
    % end
    <label class="check"><input type="checkbox" name="remove{{i}}" {{'checked' if r.get('remove') else ''}}> {{t('Remove this row')}}</label>
  </fieldset>
  % end
  % if what == 'goods':
  <p class="meta">{{t('Customers order by SMS with the code: BELI KR-01 2.')}}</p>
  % end
  <div class="buttons">
    <button type="submit" class="primary" name="do" value="save">{{t('Save and continue')}}</button>
    <button type="submit" name="do" value="add">{{t('Add a row')}}</button>
    <a class="button" href="{{next_url}}">{{t('Later')}}</a>
  </div>
</form>

% elif step == 'payment':
<form method="post" action="/setup/payment" class="card wizard">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <label>{{t('Where customers pay: bank account, e-wallet, QRIS')}}
    <textarea name="payment_instructions" rows="3" maxlength="100" placeholder="BCA 1234567890 a.n. Jaya Motor, DANA 0812-3456-7890">{{typed.get('payment', payment)}}</textarea></label>
  <p class="meta">{{t('Added to every SMS that asks a customer to pay. For example: BCA 1234567890 a.n. Jaya Motor, DANA 0812-3456-7890.')}}</p>
  <div class="buttons">
    <button type="submit" class="primary">{{t('Save and continue')}}</button>
    <a class="button" href="{{next_url}}">{{t('Later')}}</a>
  </div>
</form>

% else:
<section class="card">
  <h2>{{t('Modem')}}</h2>
  % if not modems:
  <p class="flash warn">{{t('No modem has reported yet. Plug the USB modem in; Loket finds it within a minute.')}}</p>
  % end
  % for m in modems:
  <dl class="facts {{'bad' if m['stale'] or not m.get('ok') else ''}}">
    <dt>{{m['modem']}}</dt><dd>{{t('working') if m.get('ok') and not m['stale'] else t('not working')}} · {{m.get('model', '')}}</dd>
    <dt>{{t('Operator')}}</dt><dd>{{m.get('operator') or '?'}}</dd>
    <dt>{{t('Signal')}}</dt><dd>{{m.get('signal_percent') if m.get('signal_percent') is not None else '?'}} %</dd>
  </dl>
  % end
  <p><a href="/settings/modem">{{t('More about the modem, and the SIM PIN')}}</a></p>
</section>
<section class="card">
  <h2>{{t('Send a test SMS')}}</h2>
  % if test:
  % pending = test.state in ('queued', 'sending')
  <div id="test-status" {{!'data-watch="1"' if pending else ''}} aria-live="polite">
    <p class="flash {{'warn' if test.state in ('failed', 'unknown') else ''}}" data-test-state="{{test.state}}">{{t('Test SMS to {phone}: {state}').format(phone=test.phone, state=t(states.get(test.state, test.state)))}}{{(' — ' + test.error) if test.error else ''}}</p>
    % if pending:
    <p><a class="button" href="/setup/modem?test={{test.id}}">{{t('Check again')}}</a></p>
    % end
  </div>
  % end
  <form method="post" action="/setup/modem" class="row-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label>{{t('Your phone number')}} <input name="phone" value="{{typed.get('phone', phone)}}" required maxlength="40" inputmode="tel" placeholder="0812-3456-7890"></label>
    <button type="submit" class="primary">{{t('Send')}}</button>
  </form>
</section>
<div class="buttons">
  <a class="button" href="/dashboard">{{t('Finish: to the dashboard')}}</a>
</div>
% end
