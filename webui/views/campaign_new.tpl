% rebase('layout.tpl')
<p class="back"><a href="/campaigns">&larr; {{t('Campaigns')}}</a></p>
<h1>{{t('New campaign')}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<form method="post" action="/campaigns" class="card">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <label>{{t('Name')}} <input name="name" value="{{values['name']}}" maxlength="200" required></label>
  <label>{{t('Kind')}}
    <select name="kind">
      <option value="promotion" {{'selected' if values['kind'] != 'announcement' else ''}}>{{t('promotion (needs consent to promotions)')}}</option>
      <option value="announcement" {{'selected' if values['kind'] == 'announcement' else ''}}>{{t('announcement (everyone who has not texted STOP)')}}</option>
    </select></label>
  <label for="campaign-text">{{t('Text')}} <span class="meta">({{t("{name} = the customer's name")}})</span></label>
  <textarea id="campaign-text" name="text" rows="4" maxlength="1000" required data-counter="campaign-counter">{{values['text']}}</textarea>
  <p id="campaign-counter" class="counter meta" data-words="{{t('characters')}}|{{t('left in this part')}}|{{t('because of')}}" aria-live="polite"></p>
  <fieldset><legend>{{t('Who')}}</legend>
    <label>{{t('Tags')}} <input name="tags" value="{{values['tags']}}" placeholder="{{t('vip, ibu hamil')}}"></label>
    <label>{{t('Tags match')}} <select name="tags_mode"><option value="any">{{t('any')}}</option><option value="all" {{'selected' if values['tags_mode'] == 'all' else ''}}>{{t('all')}}</option></select></label>
    <label>{{t('Visited within (days)')}} <input name="visited_within_days" value="{{values['visited_within_days']}}" inputmode="numeric"></label>
    <label>{{t('Not visited for (days)')}} <input name="not_visited_for_days" value="{{values['not_visited_for_days']}}" inputmode="numeric"></label>
    <label>{{t('Minimum points')}} <input name="min_points" value="{{values['min_points']}}" inputmode="numeric"></label>
    <label>{{t('Used service')}} <select name="service"><option value="">-</option>
      % for s in services:
      <option value="{{s.id}}" {{'selected' if values['service'] == str(s.id) else ''}}>{{s.name}}</option>
      % end
    </select></label>
  </fieldset>
  % if preview:
  <dl class="facts preview">
    <dt>{{t('Recipients')}}</dt><dd>{{number(preview['recipients'])}} ({{', '.join(preview['sample'])}}{{'…' if preview['recipients'] > 5 else ''}})</dd>
    <dt>{{t('Encoding')}}</dt><dd>{{'GSM-7' if preview['encoding'] == 'gsm7' else 'UCS-2 (' + t('because of') + ' ' + preview['offending'] + ')'}}</dd>
    <dt>SMS</dt><dd>{{preview['parts_each']}} {{t('parts')}} × {{preview['recipients']}} = {{preview['parts_total']}}</dd>
    <dt>{{t('Cost')}}</dt><dd>{{money(preview['cost'])}} ({{money(preview['price_per_part'])}} / SMS)</dd>
  </dl>
  % end
  % if ask_send and preview:
  <div class="ask" role="alertdialog" aria-labelledby="ask-send">
    <p id="ask-send">{{t('Send to {n} customers, about {cost}?').format(n=number(preview['recipients']), cost=money(preview['cost']))}}</p>
    <input type="hidden" name="confirmed" value="yes">
    <button type="submit" name="action" value="send" class="primary">{{t('Yes, send now')}}</button>
    <button type="submit" name="action" value="preview">{{t('Not yet')}}</button>
  </div>
  % else:
  <div class="buttons">
    <button type="submit" name="action" value="preview">{{t('Preview')}}</button>
    <button type="submit" name="action" value="send" class="primary">{{t('Send now')}}</button>
  </div>
  % end
  <fieldset><legend>{{t('Schedule')}}</legend>
    <input type="date" name="date" value="{{values['date']}}" aria-label="{{t('Date')}}"> <input type="time" name="time" value="{{values['time'] or '09:00'}}" aria-label="{{t('Time')}}">
    <button type="submit" name="action" value="schedule">{{t('Schedule')}}</button>
  </fieldset>
</form>
